-- +goose Up
-- The settings an administrator edits on one page (/admin/settings), besides the fundraising goal, which stays in
-- fund_settings: the star levels' thresholds (NULL: GUANAI_STAR_HOURS, the configuration's default), the dispatch
-- settings a new program starts with, and how long after check-out a service counts by itself.
CREATE TABLE care_settings (
    id                 integer PRIMARY KEY CHECK (id = 1),
    star_hours         integer[] CHECK (star_hours IS NULL OR cardinality(star_hours) BETWEEN 1 AND 5
                           AND 1 <= ALL (star_hours) AND 100000 >= ALL (star_hours)),
    offers_emergency   integer NOT NULL DEFAULT 5 CHECK (offers_emergency BETWEEN 1 AND 50),
    minutes_emergency  integer NOT NULL DEFAULT 10 CHECK (minutes_emergency BETWEEN 1 AND 1440),
    offers_urgent      integer NOT NULL DEFAULT 3 CHECK (offers_urgent BETWEEN 1 AND 50),
    minutes_urgent     integer NOT NULL DEFAULT 30 CHECK (minutes_urgent BETWEEN 1 AND 1440),
    offers_normal      integer NOT NULL DEFAULT 3 CHECK (offers_normal BETWEEN 1 AND 50),
    minutes_normal     integer NOT NULL DEFAULT 120 CHECK (minutes_normal BETWEEN 1 AND 1440),
    daily_offer_cap    integer NOT NULL DEFAULT 5 CHECK (daily_offer_cap BETWEEN 1 AND 100),
    auto_confirm_hours integer NOT NULL DEFAULT 72 CHECK (auto_confirm_hours BETWEEN 1 AND 720),
    updated_at         timestamptz
);
INSERT INTO care_settings (id) VALUES (1);

-- A new program starts with the dispatch settings of care_settings: the columns lose their fixed defaults and a
-- trigger fills whichever an INSERT leaves out (NOT NULL is checked after BEFORE triggers).
ALTER TABLE programs ALTER COLUMN offers_emergency DROP DEFAULT, ALTER COLUMN minutes_emergency DROP DEFAULT,
    ALTER COLUMN offers_urgent DROP DEFAULT, ALTER COLUMN minutes_urgent DROP DEFAULT,
    ALTER COLUMN offers_normal DROP DEFAULT, ALTER COLUMN minutes_normal DROP DEFAULT,
    ALTER COLUMN daily_offer_cap DROP DEFAULT;
-- +goose StatementBegin
CREATE FUNCTION programs_dispatch_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d care_settings;
BEGIN
    SELECT * INTO d FROM care_settings WHERE id = 1;
    NEW.offers_emergency := coalesce(NEW.offers_emergency, d.offers_emergency);
    NEW.minutes_emergency := coalesce(NEW.minutes_emergency, d.minutes_emergency);
    NEW.offers_urgent := coalesce(NEW.offers_urgent, d.offers_urgent);
    NEW.minutes_urgent := coalesce(NEW.minutes_urgent, d.minutes_urgent);
    NEW.offers_normal := coalesce(NEW.offers_normal, d.offers_normal);
    NEW.minutes_normal := coalesce(NEW.minutes_normal, d.minutes_normal);
    NEW.daily_offer_cap := coalesce(NEW.daily_offer_cap, d.daily_offer_cap);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER programs_dispatch_defaults BEFORE INSERT ON programs FOR EACH ROW EXECUTE FUNCTION programs_dispatch_defaults();

-- When a checked-out service counts by itself: the delay in force at its check-out, so changing the setting moves
-- no service already waiting. NULL for services checked out before this column (checked_out_at + 72 hours).
ALTER TABLE care_services ADD COLUMN auto_confirm_at timestamptz;

-- Hours certificates (志愿服务证明). Every figure is stored at issue — the name, the masked ID number, the hours by
-- program and each service counted — and never recomputed: a service confirmed later does not change a
-- certificate. One per volunteer and period; the code is the public verification link's, from crypto/rand.
CREATE TABLE certificates (
    id                 bigserial PRIMARY KEY,
    volunteer_id       bigint NOT NULL REFERENCES users (id),
    number             text NOT NULL UNIQUE,
    code               text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{20}$'),
    period_from        date NOT NULL,
    period_to          date NOT NULL,
    holder_name        text NOT NULL,
    holder_name_masked text NOT NULL,
    id_number_masked   text NOT NULL,
    minutes            bigint NOT NULL CHECK (minutes >= 0),
    service_count      integer NOT NULL CHECK (service_count >= 0),
    total_minutes      bigint NOT NULL CHECK (total_minutes >= 0), -- all confirmed time at issue, for the star level
    star_level         integer NOT NULL CHECK (star_level BETWEEN 0 AND 5),
    organisation_zh    text NOT NULL,
    organisation_en    text NOT NULL,
    programs           jsonb NOT NULL, -- [{program_zh, program_en, minutes, services}]
    services           jsonb NOT NULL, -- [{date, program_zh, program_en, minutes}]
    issued_at          timestamptz NOT NULL,
    CHECK (period_from <= period_to)
);
CREATE UNIQUE INDEX certificates_period_key ON certificates (volunteer_id, period_from, period_to);

-- A certificate never changes, and is never deleted. The one change allowed is closing the account
-- (repository/privacy.go): the name becomes the masked name and the masked ID number goes; every figure stays.
-- +goose StatementBegin
CREATE FUNCTION certificates_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'certificate % is never deleted', OLD.number USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.id, NEW.volunteer_id, NEW.number, NEW.code, NEW.period_from, NEW.period_to, NEW.holder_name_masked,
            NEW.minutes, NEW.service_count, NEW.total_minutes, NEW.star_level, NEW.organisation_zh, NEW.organisation_en,
            NEW.programs, NEW.services, NEW.issued_at)
        IS DISTINCT FROM (OLD.id, OLD.volunteer_id, OLD.number, OLD.code, OLD.period_from, OLD.period_to,
            OLD.holder_name_masked, OLD.minutes, OLD.service_count, OLD.total_minutes, OLD.star_level,
            OLD.organisation_zh, OLD.organisation_en, OLD.programs, OLD.services, OLD.issued_at)
        OR NEW.holder_name NOT IN (OLD.holder_name, OLD.holder_name_masked)
        OR NEW.id_number_masked NOT IN (OLD.id_number_masked, '') THEN
        RAISE EXCEPTION 'certificate % never changes once issued', OLD.number USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER certificates_immutable BEFORE UPDATE OR DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION certificates_refuse_change();

-- +goose Down
DROP TABLE certificates;
DROP FUNCTION certificates_refuse_change();
ALTER TABLE care_services DROP COLUMN auto_confirm_at;
DROP TRIGGER programs_dispatch_defaults ON programs;
DROP FUNCTION programs_dispatch_defaults();
ALTER TABLE programs ALTER COLUMN offers_emergency SET DEFAULT 5, ALTER COLUMN minutes_emergency SET DEFAULT 10,
    ALTER COLUMN offers_urgent SET DEFAULT 3, ALTER COLUMN minutes_urgent SET DEFAULT 30,
    ALTER COLUMN offers_normal SET DEFAULT 3, ALTER COLUMN minutes_normal SET DEFAULT 120,
    ALTER COLUMN daily_offer_cap SET DEFAULT 5;
DROP TABLE care_settings;
