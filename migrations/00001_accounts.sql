-- +goose Up
-- Accounts, profiles, consents, eligibility, verification, sessions, resets, login throttling and the audit log.

CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    -- NULL only for a closed account: its number is released so the person can register again.
    phone           text UNIQUE CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    password_hash   text NOT NULL,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    role            text NOT NULL CHECK (role IN ('staff', 'volunteer', 'admin', 'finance', 'coordinator', 'auditor')),
    status          text NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'suspended', 'closed')),
    status_reason   text NOT NULL DEFAULT '',
    -- Bumped to end every session of the account at once (suspension, password change, closing).
    session_version integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (phone IS NULL))
);
CREATE INDEX users_role_status_idx ON users (role, status, id);

CREATE TABLE staff_profiles (
    user_id     bigint PRIMARY KEY REFERENCES users (id),
    hospital    text NOT NULL,
    department  text NOT NULL,
    position    text NOT NULL,
    category    text NOT NULL,
    district    text NOT NULL,
    address     text NOT NULL,
    -- Set when the registration matched the eligibility list.
    eligibility_entry_id bigint
);

CREATE TABLE staff_children (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    name        text NOT NULL,
    birth_year  integer NOT NULL CHECK (birth_year BETWEEN 1990 AND 2100),
    grade       text NOT NULL
);
CREATE INDEX staff_children_user_idx ON staff_children (user_id);

CREATE TABLE volunteer_profiles (
    user_id          bigint PRIMARY KEY REFERENCES users (id),
    id_number_masked text NOT NULL,
    -- Keyed hash of the full ID number: finds a second registration with one ID without keeping the number.
    id_number_hash   text UNIQUE,
    districts        text[] NOT NULL,
    availability     text[] NOT NULL,
    capacity         integer NOT NULL DEFAULT 2 CHECK (capacity BETWEEN 1 AND 10)
);

CREATE TABLE volunteer_qualifications (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    code        text NOT NULL CHECK (code IN ('driver', 'licensed_counsellor', 'tutor', 'errands')),
    detail      text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'rejected')),
    reason      text NOT NULL DEFAULT '',
    decided_by  bigint REFERENCES users (id),
    decided_at  timestamptz,
    UNIQUE (user_id, code)
);
CREATE INDEX volunteer_qualifications_pending_idx ON volunteer_qualifications (status, user_id);

CREATE TABLE consents (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    kind        text NOT NULL CHECK (kind IN ('privacy', 'children_data')),
    version     text NOT NULL,
    ip          text NOT NULL DEFAULT '',
    given_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_user_idx ON consents (user_id);

CREATE TABLE eligibility_imports (
    id           bigserial PRIMARY KEY,
    uploaded_by  bigint NOT NULL REFERENCES users (id),
    filename     text NOT NULL,
    -- The parsed rows with their errors, kept between preview and confirmation.
    rows         jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'preview' CHECK (status IN ('preview', 'committed')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz
);

CREATE TABLE eligibility_entries (
    id          bigserial PRIMARY KEY,
    phone       text NOT NULL UNIQUE CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    name        text NOT NULL,
    hospital    text NOT NULL,
    category    text NOT NULL,
    import_id   bigint REFERENCES eligibility_imports (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE login_attempts (
    id          bigserial PRIMARY KEY,
    phone       text NOT NULL,
    ip          text NOT NULL,
    success     boolean NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_phone_idx ON login_attempts (phone, at DESC);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at DESC) WHERE NOT success;

CREATE TABLE password_resets (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    token_hash  text NOT NULL UNIQUE,
    created_by  bigint NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

-- scs's PostgreSQL store.
CREATE TABLE sessions (
    token   text PRIMARY KEY,
    data    bytea NOT NULL,
    expiry  timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE audit_events (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES users (id),
    actor_ip     text NOT NULL DEFAULT '',
    action       text NOT NULL,
    subject_type text NOT NULL,
    subject_id   bigint,
    before       jsonb,
    after        jsonb
);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_type, subject_id, at DESC);

-- The audit log is append-only: the database itself refuses to change or remove a row.
-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE audit_events, sessions, password_resets, login_attempts, eligibility_entries, eligibility_imports,
    consents, volunteer_qualifications, volunteer_profiles, staff_children, staff_profiles, users;
DROP FUNCTION refuse_change();
