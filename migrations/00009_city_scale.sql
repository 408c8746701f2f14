-- +goose Up
-- The public figures — the transparency page, the quarterly reports — read these month totals instead of scanning
-- every donation on every view (months, since the chart shows months and a quarter is three of them). Triggers keep them in the same transaction as the posting they count, and the
-- reconciliation checks them against the donations and disbursements they sum.
--
-- One row per month, kind and pool (and channel, for gifts and reversals):
--   gift      a donation, on the day it is booked, into its pool; late: received in an earlier quarter
--   reversal  its reversal, on the day that is booked (the gift's own day while its quarter is open);
--             correction: the gift was booked in an earlier quarter, closed by then; late: the gift's flag
--   payment   a disbursement paid from the pool, in the month it was paid (Asia/Shanghai)
CREATE TABLE fund_flows (
    month      date    NOT NULL CHECK (month = date_trunc('month', month)::date),
    kind       text    NOT NULL CHECK (kind IN ('gift', 'reversal', 'payment')),
    account_id bigint  NOT NULL REFERENCES accounts (id),
    channel    text    NOT NULL DEFAULT '',
    late       boolean NOT NULL DEFAULT false,
    correction boolean NOT NULL DEFAULT false,
    count      bigint  NOT NULL,
    amount     bigint  NOT NULL,
    PRIMARY KEY (month, kind, account_id, channel, late, correction)
);

-- +goose StatementBegin
CREATE FUNCTION donation_pool(program bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT id FROM accounts WHERE (program IS NULL AND code = 'pool:unrestricted') OR (program IS NOT NULL AND program_id = program)
$$;
-- +goose StatementEnd

-- add_fund_flow adds one record, of the day d, to its month's total, or with sign -1 takes one back; a total that
-- comes to nothing is removed, so the table holds exactly the totals the records make.
-- +goose StatementBegin
CREATE FUNCTION add_fund_flow(d date, k text, account bigint, ch text, is_late boolean, is_correction boolean,
    amt bigint, sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fund_flows AS f (month, kind, account_id, channel, late, correction, count, amount)
    VALUES (date_trunc('month', d)::date, k, account, ch, is_late, is_correction, sign, sign * amt)
    ON CONFLICT (month, kind, account_id, channel, late, correction)
    DO UPDATE SET count = f.count + excluded.count, amount = f.amount + excluded.amount;
    DELETE FROM fund_flows WHERE (month, kind, account_id, channel, late, correction)
        = (date_trunc('month', d)::date, k, account, ch, is_late, is_correction)
        AND count = 0;
END $$;
-- +goose StatementEnd

-- donation_flow adds (or takes back) what one donation counts: its gift, and its reversal once it has one.
-- +goose StatementBegin
CREATE FUNCTION donation_flow(n donations, sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pool bigint := donation_pool(n.program_id);
    is_late boolean := n.received_on < date_trunc('quarter', n.booked_on)::date;
BEGIN
    PERFORM add_fund_flow(n.booked_on, 'gift', pool, n.channel, is_late, false, n.amount, sign);
    IF n.reversal_booked_on IS NOT NULL THEN
        PERFORM add_fund_flow(n.reversal_booked_on, 'reversal', pool, n.channel, is_late,
            n.booked_on < date_trunc('quarter', n.reversal_booked_on)::date, n.amount, sign);
    END IF;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION donation_flows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM donation_flow(OLD, -1);
    END IF;
    PERFORM donation_flow(NEW, 1);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION disbursement_flows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'paid' THEN
        PERFORM add_fund_flow((OLD.paid_at AT TIME ZONE 'Asia/Shanghai')::date, 'payment', OLD.account_id, '', false, false, OLD.amount, -1);
    END IF;
    IF NEW.status = 'paid' THEN
        PERFORM add_fund_flow((NEW.paid_at AT TIME ZONE 'Asia/Shanghai')::date, 'payment', NEW.account_id, '', false, false, NEW.amount, 1);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER donations_flows AFTER INSERT OR UPDATE OF booked_on, reversal_booked_on, received_on, amount, program_id, channel
    ON donations FOR EACH ROW EXECUTE FUNCTION donation_flows();
CREATE TRIGGER disbursements_flows AFTER INSERT OR UPDATE OF status, paid_at, amount, account_id
    ON disbursements FOR EACH ROW EXECUTE FUNCTION disbursement_flows();

-- The month totals as the donations and disbursements make them: what the table must equal (the reconciliation
-- compares them), and what a bulk load fills it from.
CREATE VIEW fund_flows_expected AS
SELECT date_trunc('month', day)::date AS month, kind, account_id, channel, late, correction, count(*)::bigint AS count,
    sum(amount)::bigint AS amount
FROM (
    SELECT booked_on AS day, 'gift' AS kind, donation_pool(program_id) AS account_id, channel,
        received_on < date_trunc('quarter', booked_on)::date AS late, false AS correction, amount
    FROM donations
    UNION ALL
    SELECT reversal_booked_on, 'reversal', donation_pool(program_id), channel,
        received_on < date_trunc('quarter', booked_on)::date, booked_on < date_trunc('quarter', reversal_booked_on)::date, amount
    FROM donations WHERE reversal_booked_on IS NOT NULL
    UNION ALL
    SELECT (paid_at AT TIME ZONE 'Asia/Shanghai')::date, 'payment', account_id, '', false, false, amount
    FROM disbursements WHERE status = 'paid'
) f
GROUP BY 1, kind, account_id, channel, late, correction;

INSERT INTO fund_flows SELECT * FROM fund_flows_expected;

-- The verification queue: the oldest registrations waiting and the active volunteers with a qualification to check,
-- read in the order they came in.
CREATE INDEX users_queue_idx ON users (created_at, id)
    WHERE role IN ('staff', 'volunteer') AND status IN ('pending', 'active');

-- The public pages are rendered once per state of what they show and kept. That state is read in one query: the
-- accounts' row versions (every posting — a gift, a reversal, a payment, an allocation — rewrites its accounts'
-- balances) and this row's, which anything else a public page shows rewrites: a donor's published name, a merge,
-- a program, a closed quarter, the fundraising goal. Both are read in the snapshot the page's figures come from.
CREATE TABLE public_epoch (
    id         integer PRIMARY KEY CHECK (id = 1),
    changes    bigint NOT NULL DEFAULT 0
);
INSERT INTO public_epoch (id) VALUES (1);

-- +goose StatementBegin
CREATE FUNCTION public_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public_epoch SET changes = changes + 1 WHERE id = 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER donors_public_epoch AFTER UPDATE OF name, publish_name, merged_into_id ON donors
    FOR EACH STATEMENT EXECUTE FUNCTION public_epoch_bump();
CREATE TRIGGER donations_public_epoch AFTER UPDATE OF donor_id ON donations
    FOR EACH STATEMENT EXECUTE FUNCTION public_epoch_bump();
CREATE TRIGGER programs_public_epoch AFTER INSERT OR UPDATE OR DELETE ON programs
    FOR EACH STATEMENT EXECUTE FUNCTION public_epoch_bump();
CREATE TRIGGER closed_quarters_public_epoch AFTER INSERT ON closed_quarters
    FOR EACH STATEMENT EXECUTE FUNCTION public_epoch_bump();
CREATE TRIGGER fund_settings_public_epoch AFTER UPDATE ON fund_settings
    FOR EACH STATEMENT EXECUTE FUNCTION public_epoch_bump();

-- +goose Down
DROP TRIGGER fund_settings_public_epoch ON fund_settings;
DROP TRIGGER closed_quarters_public_epoch ON closed_quarters;
DROP TRIGGER programs_public_epoch ON programs;
DROP TRIGGER donations_public_epoch ON donations;
DROP TRIGGER donors_public_epoch ON donors;
DROP FUNCTION public_epoch_bump();
DROP TABLE public_epoch;
DROP TRIGGER disbursements_flows ON disbursements;
DROP TRIGGER donations_flows ON donations;
DROP VIEW fund_flows_expected;
DROP FUNCTION disbursement_flows(), donation_flows(), donation_flow(donations, integer),
    add_fund_flow(date, text, bigint, text, boolean, boolean, bigint, integer), donation_pool(bigint);
DROP TABLE fund_flows;
DROP INDEX users_queue_idx;
