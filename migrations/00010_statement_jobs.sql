-- +goose Up
-- A statement is confirmed by a background job (River's statement_confirm): the request that asks for it queues the
-- job and returns, and the page shows how far the job has got. The job records every line in one transaction, so
-- nothing it writes there can be seen before the end; how far it has got is written here instead, from outside that
-- transaction, after each chunk of lines.
--
-- One row per import, for its latest confirmation job: written when the job is queued (in the transaction that
-- queues it), then only updated by the job. The job only ever updates it: an insert would take a key-share lock on
-- the import, which the confirmation holds FOR UPDATE until it commits.
CREATE TABLE statement_progress (
    import_id    bigint PRIMARY KEY REFERENCES statement_imports (id) ON DELETE CASCADE,
    -- The River job; no reference, as River deletes finished jobs after a day.
    job_id       bigint NOT NULL,
    state        text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    done         integer NOT NULL DEFAULT 0 CHECK (done >= 0),
    total        integer NOT NULL DEFAULT 0 CHECK (total >= 0),
    -- Why a confirmation was refused: the message key, and the line and the constraint when a line was.
    error_key    text,
    error_line   integer,
    error_detail text,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT statement_progress_done_of_total CHECK (done <= total),
    CONSTRAINT statement_progress_failed_says_why CHECK ((state = 'failed') = (error_key IS NOT NULL)),
    CONSTRAINT statement_progress_line_only_when_failed CHECK (error_key IS NOT NULL OR (error_line IS NULL AND error_detail IS NULL))
);

-- +goose Down
DROP TABLE statement_progress;
