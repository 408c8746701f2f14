-- +goose Up
-- Lists page by the position of a row (their sort key and id) instead of OFFSET, donors are searched by trigrams,
-- and the columns the lists, exports and volunteer matching filter on have indexes. Each index names the query
-- it serves.

-- pg_trgm is a trusted extension: the database's owner may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Donor search (repository/donor_search.go): the name's trigrams find the same name in any case, its start, a part
-- of it and a similar name; the reversed digits of the phone find its last digits as a prefix; a credit code is
-- found by its start (the UNIQUE index compares by collation, which LIKE cannot use).
CREATE INDEX donors_name_trgm_idx ON donors USING gin (name gin_trgm_ops);
CREATE INDEX donors_phone_tail_idx ON donors (reverse(regexp_replace(phone, '[^0-9]', '', 'g')) text_pattern_ops)
    WHERE phone <> '';
CREATE INDEX donors_credit_code_prefix_idx ON donors (credit_code text_pattern_ops) WHERE credit_code IS NOT NULL;

-- A donor's gifts, newest first, paged on (received_on, id) like the donation list; the donor's totals read the
-- same entries.
DROP INDEX donations_donor_idx;
CREATE INDEX donations_donor_idx ON donations (donor_id, received_on DESC, id DESC);
-- The donation list and the donation export narrowed to a program (or to gifts with none: program_id IS NULL).
CREATE INDEX donations_program_received_idx ON donations (program_id, received_on DESC, id DESC);

-- The audit log narrowed to who did it (an account, or no one: actor_id IS NULL) and to an area's actions (names
-- and families of names, found by their start), newest first.
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action text_pattern_ops, id DESC);

-- The people list narrowed to a state alone (users_role_status_idx serves a role, and a role with a state).
CREATE INDEX users_status_idx ON users (status, id DESC);

-- The disbursement export by the day they were made; a pool's disbursements by state (its reservations).
CREATE INDEX disbursements_created_idx ON disbursements (created_at, id);
CREATE INDEX disbursements_account_idx ON disbursements (account_id, status);

-- The ledger export by the day a transaction was made.
CREATE INDEX ledger_transactions_created_idx ON ledger_transactions (created_at, id);

-- Matching volunteers to requests: by district (districts @> ARRAY[...]) and by a verified qualification.
CREATE INDEX volunteer_profiles_districts_idx ON volunteer_profiles USING gin (districts);
CREATE INDEX volunteer_qualifications_code_status_idx ON volunteer_qualifications (code, status, user_id);

-- +goose Down
DROP INDEX volunteer_qualifications_code_status_idx, volunteer_profiles_districts_idx, ledger_transactions_created_idx,
    disbursements_account_idx, disbursements_created_idx, users_status_idx, audit_events_action_idx,
    audit_events_actor_idx, donations_program_received_idx, donations_donor_idx, donors_credit_code_prefix_idx,
    donors_phone_tail_idx, donors_name_trgm_idx;
CREATE INDEX donations_donor_idx ON donations (donor_id, received_on DESC);
-- pg_trgm stays: it may have been there before, and dropping it is the database owner's call.
