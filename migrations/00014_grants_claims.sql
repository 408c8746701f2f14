-- +goose Up
-- Hardship grants (a `grant` program's applications) and volunteers' expense claims, each with its uploaded
-- documents, kept here in PostgreSQL so any app instance can serve them. An approved grant and a confirmed claim
-- each become a disbursement draft (disbursements.source_type 'grant' or 'claim'), which the fund's two-person rule
-- then approves and pays; the unique index disbursements_source_key holds one live draft per source.

-- The grant ceiling (programs.grant_ceiling, 00002) gets its first figure; a service program gets the ceiling
-- above which a volunteer's claim needs a coordinator rather than the staff member served.
ALTER TABLE programs ADD COLUMN claim_ceiling bigint CHECK (claim_ceiling > 0 AND claim_ceiling <= 10000000000);
UPDATE programs SET grant_ceiling = 1000000 WHERE kind = 'grant' AND grant_ceiling IS NULL; -- ¥10,000.00
UPDATE programs SET claim_ceiling = 20000 WHERE kind = 'service';                           -- ¥200.00
ALTER TABLE programs ADD CONSTRAINT grant_ceiling_grants_only CHECK (grant_ceiling IS NULL OR kind = 'grant'),
    ADD CONSTRAINT claim_ceiling_services_only CHECK (claim_ceiling IS NULL OR kind = 'service');

CREATE TABLE grant_applications (
    id              bigserial PRIMARY KEY,
    staff_id        bigint NOT NULL REFERENCES users (id),
    program_id      bigint NOT NULL REFERENCES programs (id),
    amount          bigint NOT NULL CHECK (amount > 0 AND amount <= 10000000000),
    reason          text NOT NULL CHECK (char_length(reason) <= 1000),
    status          text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'reviewing', 'approved', 'rejected')),
    submitted_at    timestamptz NOT NULL,
    reviewer_id     bigint REFERENCES users (id),
    reviewing_at    timestamptz,
    decided_by      bigint REFERENCES users (id),
    decided_at      timestamptz,
    reject_reason   text NOT NULL DEFAULT '',
    disbursement_id bigint UNIQUE REFERENCES disbursements (id),
    updated_at      timestamptz NOT NULL,
    CHECK ((status IN ('approved', 'rejected')) = (decided_at IS NOT NULL)),
    CHECK ((status = 'approved') = (disbursement_id IS NOT NULL)),
    CHECK (status <> 'rejected' OR reject_reason <> '')
);
CREATE INDEX grant_applications_staff_idx ON grant_applications (staff_id, id DESC);
CREATE INDEX grant_applications_queue_idx ON grant_applications (status, id DESC);

CREATE TABLE expense_claims (
    id              bigserial PRIMARY KEY,
    volunteer_id    bigint NOT NULL REFERENCES users (id),
    service_id      bigint NOT NULL REFERENCES care_services (id),
    -- The staff member served, who may confirm it, and the program whose pool repays it (copied from the service).
    staff_id        bigint NOT NULL REFERENCES users (id),
    program_id      bigint NOT NULL REFERENCES programs (id),
    category        text NOT NULL CHECK (category IN ('fuel', 'parking', 'purchase')),
    amount          bigint NOT NULL CHECK (amount > 0 AND amount <= 10000000000),
    note            text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    -- Above the program's ceiling when claimed: only a coordinator confirms it.
    needs_coordinator boolean NOT NULL,
    status          text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'confirmed', 'rejected')),
    submitted_at    timestamptz NOT NULL,
    decided_by      bigint REFERENCES users (id),
    decided_at      timestamptz,
    reject_reason   text NOT NULL DEFAULT '',
    disbursement_id bigint UNIQUE REFERENCES disbursements (id),
    updated_at      timestamptz NOT NULL,
    CHECK ((status <> 'submitted') = (decided_at IS NOT NULL)),
    CHECK ((status = 'confirmed') = (disbursement_id IS NOT NULL)),
    CHECK (status <> 'rejected' OR reject_reason <> '')
);
-- One live claim per service and category: parking and fuel for one ride are two claims, a second parking is not.
CREATE UNIQUE INDEX expense_claims_one_per_category ON expense_claims (service_id, category) WHERE status <> 'rejected';
CREATE INDEX expense_claims_volunteer_idx ON expense_claims (volunteer_id, id DESC);
CREATE INDEX expense_claims_staff_idx ON expense_claims (staff_id, id DESC);
CREATE INDEX expense_claims_queue_idx ON expense_claims (status, id DESC);

-- Uploaded documents: a grant's supporting papers, a claim's receipt. The type is what the content is (sniffed, and
-- images decoded and encoded again before they are stored), never what the name says.
CREATE TABLE documents (
    id           bigserial PRIMARY KEY,
    owner_id     bigint NOT NULL REFERENCES users (id),
    grant_id     bigint REFERENCES grant_applications (id),
    claim_id     bigint REFERENCES expense_claims (id),
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    -- An upload is at most 5 MB; an image encoded again may come out somewhat larger.
    size         integer NOT NULL CHECK (size > 0 AND size <= 10485760),
    content      bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    CHECK (num_nonnulls(grant_id, claim_id) = 1),
    CHECK (octet_length(content) = size)
);
CREATE INDEX documents_grant_idx ON documents (grant_id, id) WHERE grant_id IS NOT NULL;
CREATE INDEX documents_claim_idx ON documents (claim_id, id) WHERE claim_id IS NOT NULL;
CREATE INDEX documents_owner_idx ON documents (owner_id);

-- At most five documents to an application or a claim, whatever writes them.
-- +goose StatementBegin
CREATE FUNCTION documents_at_most_five() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM documents WHERE grant_id IS NOT DISTINCT FROM NEW.grant_id
            AND claim_id IS NOT DISTINCT FROM NEW.claim_id) > 5 THEN
        RAISE EXCEPTION 'more than 5 documents' USING ERRCODE = 'check_violation', CONSTRAINT = 'documents_at_most_five';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER documents_at_most_five AFTER INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_at_most_five();

-- Notifications about a grant or a claim point at it.
ALTER TABLE notifications
    ADD COLUMN grant_id bigint REFERENCES grant_applications (id),
    ADD COLUMN claim_id bigint REFERENCES expense_claims (id);

-- +goose Down
ALTER TABLE notifications DROP COLUMN grant_id, DROP COLUMN claim_id;
DROP TABLE documents;
DROP FUNCTION documents_at_most_five();
DROP TABLE expense_claims, grant_applications;
ALTER TABLE programs DROP CONSTRAINT grant_ceiling_grants_only, DROP CONSTRAINT claim_ceiling_services_only,
    DROP COLUMN claim_ceiling;
UPDATE programs SET grant_ceiling = NULL;
