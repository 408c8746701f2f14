-- +goose Up
-- Bank statement imports: an upload keeps the file's cells as read (rows), the channel and optional program the
-- whole statement is for, and the column mapping the operator chose. Nothing reaches donations until the import
-- is confirmed; then it is committed once, its result kept, and never changed again.

ALTER TABLE statement_imports
    ADD COLUMN channel    text NOT NULL DEFAULT 'bank_transfer'
        CHECK (channel IN ('bank_transfer', 'wechat_pay', 'alipay', 'other')),
    ADD COLUMN program_id bigint REFERENCES programs (id),
    -- Which column is the date, payer, amount, reference and memo; NULL until the operator has chosen.
    ADD COLUMN mapping    jsonb,
    ADD CONSTRAINT statement_imports_rows_array CHECK (jsonb_typeof(rows) = 'array'),
    ADD CONSTRAINT statement_imports_committed CHECK (
        (status = 'committed') = (committed_at IS NOT NULL AND result IS NOT NULL AND mapping IS NOT NULL));

CREATE INDEX donations_import_idx ON donations (import_id) WHERE import_id IS NOT NULL;

-- The file as uploaded is evidence: its cells, name, uploader, channel and program never change, and a committed
-- import never changes at all (its result says what was recorded).
-- +goose StatementBegin
CREATE FUNCTION statement_import_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'committed' THEN
            RAISE EXCEPTION 'statement import % is committed: DELETE refused', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'committed' THEN
        RAISE EXCEPTION 'statement import % is committed: UPDATE refused', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.rows, NEW.filename, NEW.uploaded_by, NEW.channel, NEW.program_id, NEW.created_at)
        IS DISTINCT FROM (OLD.rows, OLD.filename, OLD.uploaded_by, OLD.channel, OLD.program_id, OLD.created_at) THEN
        RAISE EXCEPTION 'statement import %: the uploaded file cannot change', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER statement_imports_guard BEFORE UPDATE OR DELETE ON statement_imports
    FOR EACH ROW EXECUTE FUNCTION statement_import_guard();

-- +goose Down
DROP TRIGGER statement_imports_guard ON statement_imports;
DROP FUNCTION statement_import_guard();
DROP INDEX donations_import_idx;
ALTER TABLE statement_imports DROP CONSTRAINT statement_imports_committed, DROP CONSTRAINT statement_imports_rows_array,
    DROP COLUMN mapping, DROP COLUMN program_id, DROP COLUMN channel;
