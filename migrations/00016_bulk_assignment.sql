-- +goose Up
-- Bulk assignment of scheduled requests (domain/assignment.go, repository/care_bulk.go).

-- Each service program weighs the cost terms of a proposal (domain.AssignmentWeights), and may hold its scheduled
-- requests for the coordinator's plan: a request (not an emergency) that starts more than plan_hours after it is
-- submitted waits, offered to nobody, until plan_hours before its start; then ordinary dispatch begins unless a
-- confirmed proposal has offered it first. 0 (the default) dispatches every request at once, as before.
ALTER TABLE programs
    ADD COLUMN assign_distance_weight   integer NOT NULL DEFAULT 2 CHECK (assign_distance_weight BETWEEN 0 AND 100),
    ADD COLUMN assign_load_weight       integer NOT NULL DEFAULT 3 CHECK (assign_load_weight BETWEEN 0 AND 100),
    ADD COLUMN assign_continuity_weight integer NOT NULL DEFAULT 40 CHECK (assign_continuity_weight BETWEEN 0 AND 100),
    ADD COLUMN assign_fairness_weight   integer NOT NULL DEFAULT 5 CHECK (assign_fairness_weight BETWEEN 0 AND 100),
    ADD COLUMN plan_hours               integer NOT NULL DEFAULT 0 CHECK (plan_hours BETWEEN 0 AND 168);

-- A proposal is kept, so the coordinator reviews exactly what was computed and the confirmation offers exactly
-- that (less what they dropped); each row is one request of the period, with the volunteer proposed and the cost
-- terms, or why nobody was, and after the confirmation what became of it.
CREATE TABLE assignment_proposals (
    id           bigserial PRIMARY KEY,
    program_id   bigint NOT NULL REFERENCES programs (id),
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL,
    created_by   bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    cost         integer NOT NULL CHECK (cost >= 0),
    greedy       boolean NOT NULL,
    confirmed_by bigint REFERENCES users (id),
    confirmed_at timestamptz,
    CHECK (period_start < period_end),
    CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL))
);
CREATE INDEX assignment_proposals_program_idx ON assignment_proposals (program_id, id DESC);

CREATE TABLE assignment_proposal_rows (
    proposal_id     bigint NOT NULL REFERENCES assignment_proposals (id),
    request_id      bigint NOT NULL REFERENCES care_requests (id),
    volunteer_id    bigint REFERENCES users (id),
    -- a pair's cost terms (domain.AssignmentTerms), as encoded reasons and each term's cost
    reasons         text NOT NULL DEFAULT '',
    distance_cost   integer NOT NULL DEFAULT 0,
    continuity_cost integer NOT NULL DEFAULT 0,
    fairness_cost   integer NOT NULL DEFAULT 0,
    load_cost       integer NOT NULL DEFAULT 0,
    -- an unmatched request: why (domain.Unmatched*), and how many passed the hard filters
    unmatched       text CHECK (unmatched IN ('no_candidates', 'taken')),
    candidates      integer NOT NULL DEFAULT 0,
    -- after the confirmation: sent (the offer went out), dropped (the coordinator unticked it), skipped (it no longer
    -- fitted under its locks: skip_reason says why)
    outcome         text CHECK (outcome IN ('sent', 'dropped', 'skipped')),
    skip_reason     text NOT NULL DEFAULT '',
    PRIMARY KEY (proposal_id, request_id),
    CHECK ((volunteer_id IS NULL) = (unmatched IS NOT NULL)),
    CHECK (outcome IS NULL OR volunteer_id IS NOT NULL)
);

-- +goose Down
DROP TABLE assignment_proposal_rows, assignment_proposals;
ALTER TABLE programs DROP COLUMN assign_distance_weight, DROP COLUMN assign_load_weight,
    DROP COLUMN assign_continuity_weight, DROP COLUMN assign_fairness_weight, DROP COLUMN plan_hours;
