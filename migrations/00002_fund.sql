-- +goose Up
-- The care fund: programs (as data), ledger accounts, an append-only double-entry ledger, donors, donations with
-- gap-free receipts, and two-person disbursements. The database enforces the ledger's promises itself: every
-- transaction sums to zero, entries are never changed, pools never go negative, a reversal happens once, and a
-- disbursement's checker is never its maker.

CREATE TABLE programs (
    id             bigserial PRIMARY KEY,
    code           text NOT NULL UNIQUE,
    kind           text NOT NULL CHECK (kind IN ('service', 'benefit', 'grant')),
    name_zh        text NOT NULL,
    name_en        text NOT NULL,
    description_zh text NOT NULL DEFAULT '',
    description_en text NOT NULL DEFAULT '',
    active         boolean NOT NULL DEFAULT true,
    qualification  text,
    quota          integer,
    quota_per      text,
    period         text,
    grant_ceiling  bigint CHECK (grant_ceiling > 0),
    sensitive      boolean NOT NULL DEFAULT false,
    position       integer NOT NULL
);

INSERT INTO programs (code, kind, name_zh, name_en, description_zh, description_en, qualification, quota, quota_per, period, sensitive, position) VALUES
    ('one_to_one', 'service', '志愿者一对一帮扶', 'One-to-one volunteer help',
     '交通出行、跑腿代办、应急服务，由结对志愿者提供。', 'Transport, errands and emergency help from a paired volunteer.', NULL, NULL, NULL, NULL, false, 1),
    ('counselling', 'service', '心理疏导', 'Psychological counselling',
     '由持证心理咨询师提供一对一疏导。', 'One-to-one support from a licensed counsellor.', 'licensed_counsellor', NULL, NULL, NULL, true, 2),
    ('tutoring', 'service', '学业辅导与线上陪伴', 'Tutoring and online companionship for children',
     '为医务人员子女提供学业辅导和线上陪伴。', 'Tutoring and online companionship for medical workers'' children.', 'tutor', NULL, NULL, NULL, true, 3),
    ('interest_classes', 'benefit', '子女兴趣班免费', 'Free interest classes for children',
     '每名子女每学期最多 3 个兴趣班免费。', 'Up to 3 free interest classes per child per term.', NULL, 3, 'child', 'term', true, 4),
    ('venue_vouchers', 'benefit', '场馆免费体验', 'Free venue vouchers',
     '每名医务人员 2 张场馆体验券。', 'Two venue vouchers per medical worker.', NULL, 2, 'staff', 'year', false, 5),
    ('care_fund', 'grant', '关爱基金', 'Care fund grants',
     '为有困难的一线医务人员发放关爱金。', 'Hardship grants for frontline medical workers.', NULL, NULL, NULL, NULL, false, 6);

-- Ledger accounts. Pools hold the fund's money and never go negative; external accounts stand for the world
-- outside (donors' money coming in, payees' money going out) and mirror the pools.
CREATE TABLE accounts (
    id         bigserial PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    kind       text NOT NULL CHECK (kind IN ('pool', 'external')),
    program_id bigint UNIQUE REFERENCES programs (id),
    name_zh    text NOT NULL,
    name_en    text NOT NULL,
    balance    bigint NOT NULL DEFAULT 0,
    -- Money promised to approved, unpaid disbursements: it cannot be promised twice.
    reserved   bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    CONSTRAINT pool_never_negative CHECK (kind = 'external' OR (balance >= 0 AND reserved <= balance)),
    CHECK ((kind = 'pool') OR (program_id IS NULL AND reserved = 0))
);

INSERT INTO accounts (code, kind, name_zh, name_en) VALUES
    ('pool:unrestricted', 'pool', '非定向资金', 'Unrestricted fund'),
    ('external:donors', 'external', '捐赠来源', 'Donations received'),
    ('external:payees', 'external', '支出去向', 'Paid out');
INSERT INTO accounts (code, kind, program_id, name_zh, name_en)
    SELECT 'pool:' || code, 'pool', id, name_zh || '（定向）', name_en || ' (restricted)' FROM programs ORDER BY position;

CREATE TABLE ledger_transactions (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('donation', 'allocation', 'disbursement', 'reversal')),
    memo        text NOT NULL DEFAULT '',
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- A reversal points at its original, and UNIQUE makes it happen at most once.
    reverses_id bigint UNIQUE REFERENCES ledger_transactions (id),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
);

CREATE TABLE ledger_entries (
    id             bigserial PRIMARY KEY,
    transaction_id bigint NOT NULL REFERENCES ledger_transactions (id),
    account_id     bigint NOT NULL REFERENCES accounts (id),
    amount         bigint NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id);

-- Each entry moves its account's balance in the same statement, so a balance always equals its entries and the
-- pool's CHECK refuses an overdraft at the moment it would happen.
-- +goose StatementBegin
CREATE FUNCTION ledger_entry_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_post AFTER INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_entry_post();

-- At commit, every ledger transaction touched must have two or more entries summing to zero.
-- +goose StatementBegin
CREATE FUNCTION check_ledger_balanced(tx bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    total numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount), 0) INTO n, total FROM ledger_entries WHERE transaction_id = tx;
    IF n < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: % entries summing to %', tx, n, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balanced';
    END IF;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM check_ledger_balanced(NEW.transaction_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM check_ledger_balanced(NEW.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced();

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE donors (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('individual', 'organization')),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    -- 统一社会信用代码, for organisations, optional.
    credit_code   text UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    phone         text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    address       text NOT NULL DEFAULT '',
    publish_name  boolean NOT NULL DEFAULT false,
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'organization' OR credit_code IS NULL)
);
CREATE INDEX donors_name_idx ON donors (name text_pattern_ops);

CREATE TABLE statement_imports (
    id           bigserial PRIMARY KEY,
    uploaded_by  bigint NOT NULL REFERENCES users (id),
    filename     text NOT NULL,
    rows         jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'preview' CHECK (status IN ('preview', 'committed')),
    result       jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz
);

CREATE TABLE donations (
    id                      bigserial PRIMARY KEY,
    donor_id                bigint NOT NULL REFERENCES donors (id),
    amount                  bigint NOT NULL CHECK (amount > 0 AND amount <= 10000000000),
    channel                 text NOT NULL CHECK (channel IN ('bank_transfer', 'wechat_pay', 'alipay', 'cash', 'other')),
    received_on             date NOT NULL,
    reference               text NOT NULL DEFAULT '',
    program_id              bigint REFERENCES programs (id),
    note                    text NOT NULL DEFAULT '',
    recorded_by             bigint NOT NULL REFERENCES users (id),
    -- The form's one-time key: a retry with the same key finds this row instead of recording twice.
    idempotency_key         text NOT NULL UNIQUE,
    request_hash            text NOT NULL,
    ledger_transaction_id   bigint NOT NULL UNIQUE REFERENCES ledger_transactions (id),
    reversal_transaction_id bigint UNIQUE REFERENCES ledger_transactions (id),
    reversed_by             bigint REFERENCES users (id),
    reversed_at             timestamptz,
    reversal_reason         text NOT NULL DEFAULT '',
    import_id               bigint REFERENCES statement_imports (id),
    created_at              timestamptz NOT NULL DEFAULT now(),
    CHECK ((reversal_transaction_id IS NULL) = (reversed_at IS NULL))
);
-- A payment reference is unique per channel: the same bank line cannot be recorded twice.
CREATE UNIQUE INDEX donations_channel_reference_key ON donations (channel, reference) WHERE reference <> '';
CREATE INDEX donations_received_idx ON donations (received_on DESC, id DESC);
CREATE INDEX donations_donor_idx ON donations (donor_id, received_on DESC);

-- Receipt numbers run per year without gaps: the counter row is taken in the donation's own transaction, so a
-- rolled-back donation gives its number back.
CREATE TABLE receipt_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL CHECK (last > 0)
);

CREATE TABLE receipts (
    id          bigserial PRIMARY KEY,
    donation_id bigint NOT NULL REFERENCES donations (id),
    year        integer NOT NULL,
    seq         integer NOT NULL CHECK (seq > 0),
    number      text NOT NULL,
    -- A re-issue repeats the original's number and is marked as a copy (复制件).
    copy_of     bigint REFERENCES receipts (id),
    snapshot    jsonb NOT NULL,
    issued_by   bigint REFERENCES users (id),
    issued_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX receipts_original_number_key ON receipts (year, seq) WHERE copy_of IS NULL;
CREATE UNIQUE INDEX receipts_original_donation_key ON receipts (donation_id) WHERE copy_of IS NULL;
CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER receipts_no_truncate BEFORE TRUNCATE ON receipts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE disbursements (
    id                    bigserial PRIMARY KEY,
    account_id            bigint NOT NULL REFERENCES accounts (id),
    amount                bigint NOT NULL CHECK (amount > 0 AND amount <= 10000000000),
    payee                 text NOT NULL,
    payee_account         text NOT NULL DEFAULT '',
    purpose               text NOT NULL,
    status                text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'paid', 'rejected', 'cancelled')),
    maker_id              bigint NOT NULL REFERENCES users (id),
    checker_id            bigint REFERENCES users (id),
    approved_at           timestamptz,
    paid_by               bigint REFERENCES users (id),
    paid_at               timestamptz,
    bank_reference        text NOT NULL DEFAULT '',
    ledger_transaction_id bigint UNIQUE REFERENCES ledger_transactions (id),
    reason                text NOT NULL DEFAULT '',
    -- Later issues create drafts from grants and expense claims and link them here.
    source_type           text,
    source_id             bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT checker_is_not_maker CHECK (checker_id IS NULL OR checker_id <> maker_id),
    CHECK (status NOT IN ('approved', 'paid') OR checker_id IS NOT NULL),
    CHECK ((status = 'paid') = (ledger_transaction_id IS NOT NULL)),
    CHECK (status <> 'paid' OR bank_reference <> ''),
    CHECK (status NOT IN ('rejected', 'cancelled') OR reason <> '')
);
CREATE INDEX disbursements_status_idx ON disbursements (status, id DESC);
CREATE UNIQUE INDEX disbursements_source_key ON disbursements (source_type, source_id)
    WHERE source_type IS NOT NULL AND status NOT IN ('rejected', 'cancelled');

CREATE TABLE fund_settings (
    id               integer PRIMARY KEY CHECK (id = 1),
    fundraising_goal bigint NOT NULL DEFAULT 0 CHECK (fundraising_goal >= 0)
);
INSERT INTO fund_settings (id, fundraising_goal) VALUES (1, 500000000);

-- +goose Down
DROP TABLE fund_settings, disbursements, receipts, receipt_counters, donations, statement_imports, donors,
    ledger_entries, ledger_transactions, accounts, programs;
DROP FUNCTION ledger_transaction_balanced(), ledger_entry_balanced(), check_ledger_balanced(bigint), ledger_entry_post();
