-- +goose Up
-- Benefits (DESIGN §1, kind `benefit`): free interest classes for staff children and free venue visits. A program
-- holds a quota, what it counts (per child or per staff member) and its period (term dates, or a calendar year); its
-- classes or venues are places, each redeemed at one venue's desk — an account of the new operator role `venue`. A
-- staff member applies for a place; a coordinator approves within the quota (which issues a single-use voucher code)
-- or rejects with a reason; the venue redeems the voucher once. domain/benefit.go and domain/voucher.go hold the
-- rules; the checks below refuse again what they refuse.

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('staff', 'volunteer', 'admin', 'finance', 'coordinator', 'auditor', 'venue'));

-- A term program's current term; a year program counts by the Shanghai calendar year and needs no dates. The seeded
-- term is the autumn term of 2026; the admin sets the next one on the program's page.
ALTER TABLE programs
    ADD COLUMN term_start date,
    ADD COLUMN term_end   date;
UPDATE programs SET term_start = '2026-09-01', term_end = '2027-01-31' WHERE kind = 'benefit' AND period = 'term';
ALTER TABLE programs
    ADD CONSTRAINT programs_term_in_order CHECK (term_start IS NULL OR term_end IS NULL OR term_start <= term_end),
    ADD CONSTRAINT programs_benefit_settings CHECK (kind <> 'benefit' OR (quota BETWEEN 1 AND 100
        AND quota_per IN ('child', 'staff') AND period IN ('term', 'year')
        AND (period = 'year' OR (term_start IS NOT NULL AND term_end IS NOT NULL))));

-- The classes or venues of a benefit program. Each belongs to the venue account whose desk redeems its vouchers.
CREATE TABLE benefit_places (
    id         bigserial PRIMARY KEY,
    program_id bigint NOT NULL REFERENCES programs (id),
    venue_id   bigint NOT NULL REFERENCES users (id),
    name_zh    text NOT NULL CHECK (char_length(name_zh) BETWEEN 1 AND 50),
    name_en    text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 50),
    address    text NOT NULL DEFAULT '' CHECK (char_length(address) <= 100),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX benefit_places_program_idx ON benefit_places (program_id, id);
CREATE INDEX benefit_places_venue_idx ON benefit_places (venue_id, id);

-- A place belongs to a benefit program and to a venue account, whatever writes it.
-- +goose StatementBegin
CREATE FUNCTION benefit_place_owners() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM programs WHERE id = NEW.program_id AND kind = 'benefit') THEN
        RAISE EXCEPTION 'benefit place % of a program that is not a benefit', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.venue_id AND role = 'venue') THEN
        RAISE EXCEPTION 'benefit place % of an account that is not a venue', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER benefit_places_owners BEFORE INSERT OR UPDATE OF program_id, venue_id ON benefit_places
    FOR EACH ROW EXECUTE FUNCTION benefit_place_owners();

-- An application: which place, for which of her children (per-child programs; NULL once her account is closed),
-- in which period (the program's term, or the year, when she applied). The quota counts the submitted and approved
-- applications of one holder — the child, or the staff member — in one program and period.
CREATE TABLE benefit_applications (
    id           bigserial PRIMARY KEY,
    program_id   bigint NOT NULL REFERENCES programs (id),
    staff_id     bigint NOT NULL REFERENCES users (id),
    per_child    boolean NOT NULL,
    child_id     bigint REFERENCES staff_children (id),
    place_id     bigint NOT NULL REFERENCES benefit_places (id),
    consent_id   bigint REFERENCES consents (id),
    period_start date NOT NULL,
    period_end   date NOT NULL CHECK (period_end >= period_start),
    status       text NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    reason       text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    decided_by   bigint REFERENCES users (id),
    decided_at   timestamptz,
    created_at   timestamptz NOT NULL,
    CHECK ((status = 'submitted') = (decided_at IS NULL)),
    CHECK (status <> 'rejected' OR reason <> ''),
    CHECK (NOT per_child OR consent_id IS NOT NULL)
);
CREATE INDEX benefit_applications_staff_idx ON benefit_applications (staff_id, id DESC);
CREATE INDEX benefit_applications_holder_idx ON benefit_applications (program_id, staff_id, period_start)
    WHERE status IN ('submitted', 'approved');
CREATE INDEX benefit_applications_child_idx ON benefit_applications (child_id) WHERE child_id IS NOT NULL;
CREATE INDEX benefit_applications_queue_idx ON benefit_applications (id) WHERE status = 'submitted';

-- An application is decided once: submitted → approved | rejected.
-- +goose StatementBegin
CREATE FUNCTION benefit_application_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND OLD.status <> 'submitted' THEN
        RAISE EXCEPTION 'benefit_applications: % → % refused', OLD.status, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER benefit_applications_moves BEFORE UPDATE OF status ON benefit_applications
    FOR EACH ROW EXECUTE FUNCTION benefit_application_moves();

-- A voucher: the code an approval issues (10 Crockford base32 characters and a mod-37 check symbol), valid until
-- the end of its application's period, redeemed once at its place's venue.
CREATE TABLE vouchers (
    id             bigserial PRIMARY KEY,
    application_id bigint NOT NULL UNIQUE REFERENCES benefit_applications (id),
    code           text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{10}[0-9A-HJKMNP-TV-Z*~$=U]$'),
    staff_id       bigint NOT NULL REFERENCES users (id),
    place_id       bigint NOT NULL REFERENCES benefit_places (id),
    issued_at      timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL CHECK (expires_at > issued_at),
    redeemed_at    timestamptz,
    redeemed_by    bigint REFERENCES users (id),
    CHECK ((redeemed_at IS NULL) = (redeemed_by IS NULL))
);
CREATE INDEX vouchers_staff_idx ON vouchers (staff_id, id DESC);
CREATE INDEX vouchers_redeemed_idx ON vouchers (redeemed_by, redeemed_at DESC) WHERE redeemed_by IS NOT NULL;

-- A voucher's code, holder and place never change, and a redeemed voucher stays redeemed.
-- +goose StatementBegin
CREATE FUNCTION voucher_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.code <> OLD.code OR NEW.application_id <> OLD.application_id OR NEW.staff_id <> OLD.staff_id
        OR NEW.place_id <> OLD.place_id OR NEW.issued_at <> OLD.issued_at OR NEW.expires_at <> OLD.expires_at THEN
        RAISE EXCEPTION 'voucher %: issued vouchers do not change', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.redeemed_at IS NOT NULL AND (NEW.redeemed_at IS DISTINCT FROM OLD.redeemed_at
        OR NEW.redeemed_by IS DISTINCT FROM OLD.redeemed_by) THEN
        RAISE EXCEPTION 'voucher %: already redeemed', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER vouchers_once BEFORE UPDATE ON vouchers FOR EACH ROW EXECUTE FUNCTION voucher_once();

-- A staff member's inbox points at her application (a rejection) or her voucher (an approval).
ALTER TABLE notifications
    ADD COLUMN application_id bigint REFERENCES benefit_applications (id),
    ADD COLUMN voucher_id     bigint REFERENCES vouchers (id);

-- +goose Down
ALTER TABLE notifications DROP COLUMN voucher_id, DROP COLUMN application_id;
DROP TABLE vouchers, benefit_applications, benefit_places;
DROP FUNCTION voucher_once(), benefit_application_moves(), benefit_place_owners();
ALTER TABLE programs DROP CONSTRAINT programs_benefit_settings, DROP CONSTRAINT programs_term_in_order,
    DROP COLUMN term_end, DROP COLUMN term_start;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('staff', 'volunteer', 'admin', 'finance', 'coordinator', 'auditor'));
