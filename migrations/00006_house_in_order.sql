-- +goose Up
-- Closed quarters. Once a quarter's report is published (慈善法 Art. 73) finance closes it, for good and in order,
-- and from then on it never changes: a gift received in it but recorded later, or the reversal of one of its
-- gifts, is booked in the open period instead, with its own date kept.
CREATE TABLE closed_quarters (
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter   integer NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    closed_by bigint NOT NULL REFERENCES users (id),
    closed_at timestamptz NOT NULL,
    PRIMARY KEY (year, quarter)
);
CREATE TRIGGER closed_quarters_append_only BEFORE UPDATE OR DELETE ON closed_quarters
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER closed_quarters_no_truncate BEFORE TRUNCATE ON closed_quarters
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- booked_on is the day a gift counts in the reports, reversal_booked_on the day its reversal does: the days they
-- happened, unless that quarter was closed by then. Until now every gift was booked on the day it was received,
-- and a reversal took it out of that same day.
ALTER TABLE donations ADD COLUMN booked_on date, ADD COLUMN reversal_booked_on date;
UPDATE donations SET booked_on = received_on, reversal_booked_on = CASE WHEN reversed_at IS NOT NULL THEN received_on END;
ALTER TABLE donations ALTER COLUMN booked_on SET NOT NULL,
    ADD CONSTRAINT booked_not_before_received CHECK (booked_on >= received_on),
    ADD CONSTRAINT reversal_booked_when_reversed CHECK ((reversal_booked_on IS NULL) = (reversed_at IS NULL)),
    ADD CONSTRAINT reversal_booked_not_before_gift CHECK (reversal_booked_on IS NULL OR reversal_booked_on >= booked_on);
CREATE INDEX donations_booked_idx ON donations (booked_on);
CREATE INDEX donations_reversal_booked_idx ON donations (reversal_booked_on) WHERE reversal_booked_on IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION quarter_closed(d date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT d IS NOT NULL AND EXISTS (SELECT 1 FROM closed_quarters
        WHERE year = extract(year FROM d)::integer AND quarter = extract(quarter FROM d)::integer)
$$;

-- The database's own guard that a published report never changes: nothing is booked into a closed quarter, and a
-- gift's money facts are never rewritten (only its reversal, and the donor it is filed under, may change).
CREATE FUNCTION donation_keeps_closed_quarters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND quarter_closed(NEW.booked_on) THEN
        RAISE EXCEPTION 'donation booked on % falls in a closed quarter', NEW.booked_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booked_in_open_quarter';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.amount, NEW.channel, NEW.received_on, NEW.booked_on, NEW.program_id, NEW.ledger_transaction_id)
            IS DISTINCT FROM (OLD.amount, OLD.channel, OLD.received_on, OLD.booked_on, OLD.program_id, OLD.ledger_transaction_id) THEN
            RAISE EXCEPTION 'a donation''s amount, channel, dates and program never change'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'donation_facts_fixed';
        END IF;
        IF NEW.reversal_booked_on IS DISTINCT FROM OLD.reversal_booked_on AND quarter_closed(NEW.reversal_booked_on) THEN
            RAISE EXCEPTION 'reversal booked on % falls in a closed quarter', NEW.reversal_booked_on
                USING ERRCODE = 'check_violation', CONSTRAINT = 'booked_in_open_quarter';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION disbursement_keeps_closed_quarters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.paid_at IS DISTINCT FROM OLD.paid_at AND quarter_closed((NEW.paid_at AT TIME ZONE 'Asia/Shanghai')::date) THEN
        RAISE EXCEPTION 'payment on % falls in a closed quarter', NEW.paid_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booked_in_open_quarter';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER donations_keep_closed_quarters BEFORE INSERT OR UPDATE ON donations
    FOR EACH ROW EXECUTE FUNCTION donation_keeps_closed_quarters();
CREATE TRIGGER disbursements_keep_closed_quarters BEFORE UPDATE ON disbursements
    FOR EACH ROW EXECUTE FUNCTION disbursement_keeps_closed_quarters();

-- Donors can be corrected (consent to publish a name can change) and duplicates merged: a merged donor's gifts move
-- to the donor it was merged into, and its row stays, pointing there, so old links and receipts still resolve.
ALTER TABLE donors ADD COLUMN merged_into_id bigint REFERENCES donors (id),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT donor_not_merged_into_itself CHECK (merged_into_id IS NULL OR merged_into_id <> id);

-- How many lines of a statement are lines (not its header or the export's preamble), as its list shows.
ALTER TABLE statement_imports ADD COLUMN data_lines integer NOT NULL DEFAULT 0;
UPDATE statement_imports SET data_lines = greatest(jsonb_array_length(rows) - 1 - coalesce((mapping->>'header_row')::integer, 0), 0);

-- +goose Down
ALTER TABLE statement_imports DROP COLUMN data_lines;
ALTER TABLE donors DROP COLUMN merged_into_id, DROP COLUMN updated_at;
DROP TRIGGER disbursements_keep_closed_quarters ON disbursements;
DROP TRIGGER donations_keep_closed_quarters ON donations;
DROP FUNCTION disbursement_keeps_closed_quarters(), donation_keeps_closed_quarters(), quarter_closed(date);
ALTER TABLE donations DROP COLUMN booked_on, DROP COLUMN reversal_booked_on;
DROP TABLE closed_quarters;
