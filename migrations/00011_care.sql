-- +goose Up
-- Care requests, dispatch and one-to-one pairing (DESIGN §4): a staff member's request, its occurrences (one, or
-- many for a recurring schedule), the offers that go out to volunteers in rounds, the pairing an acceptance creates
-- or reuses, the services (check-in, check-out, confirmation) that count a volunteer's hours, the request's
-- timeline, and everyone's in-app inbox. The state machines are domain's (domain/care.go); the triggers below refuse
-- a move they do not allow, so a race between two requests can never write one either.

-- Dispatch settings per program: how many offers a round sends and how long they stay open, by urgency, and how
-- many offers a volunteer gets in one day at most (the offers are spread over willing volunteers).
ALTER TABLE programs
    ADD COLUMN offers_emergency  integer NOT NULL DEFAULT 5 CHECK (offers_emergency BETWEEN 1 AND 50),
    ADD COLUMN minutes_emergency integer NOT NULL DEFAULT 10 CHECK (minutes_emergency BETWEEN 1 AND 1440),
    ADD COLUMN offers_urgent     integer NOT NULL DEFAULT 3 CHECK (offers_urgent BETWEEN 1 AND 50),
    ADD COLUMN minutes_urgent    integer NOT NULL DEFAULT 30 CHECK (minutes_urgent BETWEEN 1 AND 1440),
    ADD COLUMN offers_normal     integer NOT NULL DEFAULT 3 CHECK (offers_normal BETWEEN 1 AND 50),
    ADD COLUMN minutes_normal    integer NOT NULL DEFAULT 120 CHECK (minutes_normal BETWEEN 1 AND 1440),
    ADD COLUMN daily_offer_cap   integer NOT NULL DEFAULT 5 CHECK (daily_offer_cap BETWEEN 1 AND 100),
    ADD COLUMN updated_at        timestamptz NOT NULL DEFAULT now();

-- Counselling gets its own consent kind; anything about children uses children_data, recorded again per request.
ALTER TABLE consents DROP CONSTRAINT consents_kind_check;
ALTER TABLE consents ADD CONSTRAINT consents_kind_check CHECK (kind IN ('privacy', 'children_data', 'counselling'));

-- The volunteer's facts for matching, and the figures matching ranks by, kept in the transactions that change them
-- (so ranking 60,000 volunteers reads one row each, not their history).
ALTER TABLE volunteer_profiles
    ADD COLUMN vehicle_seats     integer CHECK (vehicle_seats BETWEEN 1 AND 9),
    ADD COLUMN subjects          text[] NOT NULL DEFAULT '{}',
    -- Grades as their place in domain.Grades: 0 is kindergarten, 12 the last year of senior high school.
    ADD COLUMN grade_from        integer CHECK (grade_from BETWEEN 0 AND 12),
    ADD COLUMN grade_to          integer CHECK (grade_to BETWEEN 0 AND 12),
    ADD COLUMN active_pairings   integer NOT NULL DEFAULT 0 CHECK (active_pairings >= 0),
    ADD COLUMN rating_sum        integer NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
    ADD COLUMN rating_count      integer NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
    ADD COLUMN confirmed_minutes bigint NOT NULL DEFAULT 0 CHECK (confirmed_minutes >= 0),
    ADD COLUMN last_offer_at     timestamptz,
    -- The Shanghai day offers_that_day counts, for the daily cap.
    ADD COLUMN offers_day        date,
    ADD COLUMN offers_that_day   integer NOT NULL DEFAULT 0 CHECK (offers_that_day >= 0),
    ADD CONSTRAINT volunteer_grades_in_order CHECK (grade_from IS NULL OR grade_to IS NULL OR grade_from <= grade_to);

CREATE TABLE pairings (
    id          bigserial PRIMARY KEY,
    staff_id    bigint NOT NULL REFERENCES users (id),
    volunteer_id bigint NOT NULL REFERENCES users (id),
    program_id  bigint NOT NULL REFERENCES programs (id),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    ended_by    bigint REFERENCES users (id),
    end_reason  text NOT NULL DEFAULT '',
    -- "Don't pair us again": either side said so when it ended; matching never offers this pair again.
    no_repeat   boolean NOT NULL DEFAULT false,
    CHECK ((status = 'ended') = (ended_at IS NOT NULL)),
    CHECK (status = 'ended' OR NOT no_repeat)
);
-- One active pairing per pair and program: a second acceptance by the same volunteer reuses it. (She may have two
-- in a program: when her paired volunteer cannot take a request, another may, and both keep helping her.)
CREATE UNIQUE INDEX pairings_one_active_idx ON pairings (staff_id, volunteer_id, program_id) WHERE status = 'active';
CREATE INDEX pairings_volunteer_idx ON pairings (volunteer_id, status);
CREATE INDEX pairings_no_repeat_idx ON pairings (staff_id, volunteer_id) WHERE no_repeat;

CREATE TABLE care_requests (
    id             bigserial PRIMARY KEY,
    staff_id       bigint NOT NULL REFERENCES users (id),
    program_id     bigint NOT NULL REFERENCES programs (id),
    category       text NOT NULL,
    urgency        text NOT NULL CHECK (urgency IN ('normal', 'urgent', 'emergency')),
    status         text NOT NULL CHECK (status IN ('submitted', 'dispatching', 'matched', 'in_service', 'completed',
                       'closed', 'escalated', 'cancelled', 'expired')),
    district       text NOT NULL,
    pickup         text NOT NULL DEFAULT '',
    destination    text NOT NULL DEFAULT '',
    place          text NOT NULL DEFAULT '',
    details        text NOT NULL DEFAULT '' CHECK (char_length(details) <= 500),
    child_ids      bigint[] NOT NULL DEFAULT '{}',
    -- Tutoring: the subject she asks for ('' when any will do).
    subject        text NOT NULL DEFAULT '',
    consent_id     bigint REFERENCES consents (id),
    -- A recurring schedule (weekdays, a time, first and last date); no weekdays ('{}') for a single window.
    weekdays       text[],
    first_date     date,
    last_date      date,
    -- The first occurrence's start and the last one's end.
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    -- The dispatch round under way (0 before the first; each round's expiry job names its round).
    round          integer NOT NULL DEFAULT 0,
    volunteer_id   bigint REFERENCES users (id),
    pairing_id     bigint REFERENCES pairings (id),
    submitted_at   timestamptz NOT NULL,
    first_offer_at timestamptz,
    matched_at     timestamptz,
    completed_at   timestamptz,
    closed_at      timestamptz,
    escalated_at   timestamptz,
    escalation     text NOT NULL DEFAULT '',
    cancelled_at   timestamptz,
    cancelled_by   bigint REFERENCES users (id),
    cancel_reason  text NOT NULL DEFAULT '',
    rating         integer CHECK (rating BETWEEN 1 AND 5),
    rating_comment text NOT NULL DEFAULT '' CHECK (char_length(rating_comment) <= 500),
    updated_at     timestamptz NOT NULL,
    CHECK (starts_at < ends_at),
    CHECK ((status IN ('matched', 'in_service', 'completed', 'closed')) <= (volunteer_id IS NOT NULL)),
    CHECK ((status = 'closed') <= (rating IS NOT NULL))
);
CREATE INDEX care_requests_staff_idx ON care_requests (staff_id, id DESC);
CREATE INDEX care_requests_open_idx ON care_requests (status, urgency, starts_at)
    WHERE status IN ('submitted', 'dispatching', 'escalated', 'matched', 'in_service');
-- What a volunteer is booked for: the double-booking check reads these.
CREATE INDEX care_requests_booked_idx ON care_requests (volunteer_id) WHERE status IN ('matched', 'in_service');
CREATE INDEX care_requests_figures_idx ON care_requests (program_id, submitted_at);
-- A pairing's requests: ending it sends the unstarted ones out again.
CREATE INDEX care_requests_pairing_idx ON care_requests (pairing_id) WHERE pairing_id IS NOT NULL;

CREATE TABLE care_occurrences (
    id         bigserial PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES care_requests (id),
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX care_occurrences_request_idx ON care_occurrences (request_id, starts_at);

CREATE TABLE care_offers (
    id             bigserial PRIMARY KEY,
    request_id     bigint NOT NULL REFERENCES care_requests (id),
    volunteer_id   bigint NOT NULL REFERENCES users (id),
    round          integer NOT NULL,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
    -- Why matching placed the volunteer where it did, as the coordinator reads it, when the offer went out.
    reasons        text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    answered_at    timestamptz,
    decline_reason text NOT NULL DEFAULT '' CHECK (char_length(decline_reason) <= 200),
    UNIQUE (request_id, volunteer_id),
    CHECK ((status = 'pending') = (answered_at IS NULL))
);
-- The first acceptance wins: the database itself holds one accepted offer per request at most.
CREATE UNIQUE INDEX care_offers_one_accepted_idx ON care_offers (request_id) WHERE status = 'accepted';
CREATE INDEX care_offers_volunteer_idx ON care_offers (volunteer_id, id DESC);
CREATE INDEX care_offers_pending_idx ON care_offers (request_id) WHERE status = 'pending';

CREATE TABLE care_services (
    id             bigserial PRIMARY KEY,
    request_id     bigint NOT NULL REFERENCES care_requests (id),
    occurrence_id  bigint NOT NULL UNIQUE REFERENCES care_occurrences (id),
    pairing_id     bigint NOT NULL REFERENCES pairings (id),
    volunteer_id   bigint NOT NULL REFERENCES users (id),
    staff_id       bigint NOT NULL REFERENCES users (id),
    status         text NOT NULL CHECK (status IN ('checked_in', 'checked_out', 'confirmed')),
    checked_in_at  timestamptz NOT NULL,
    checked_out_at timestamptz,
    confirmed_at   timestamptz,
    -- Who confirmed: 'staff', 'coordinator' or 'auto' (72 hours after check-out).
    confirmed_by   text CHECK (confirmed_by IN ('staff', 'coordinator', 'auto')),
    minutes        integer CHECK (minutes >= 0),
    note           text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    CHECK ((status = 'checked_in') = (checked_out_at IS NULL)),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);
CREATE INDEX care_services_request_idx ON care_services (request_id);
CREATE INDEX care_services_volunteer_idx ON care_services (volunteer_id, status);

-- A request's timeline, as both sides read it: submitted, offered to n volunteers, accepted by whom, checked in...
CREATE TABLE care_events (
    id           bigserial PRIMARY KEY,
    request_id   bigint NOT NULL REFERENCES care_requests (id),
    at           timestamptz NOT NULL,
    kind         text NOT NULL,
    actor_id     bigint REFERENCES users (id),
    volunteer_id bigint REFERENCES users (id),
    count        integer NOT NULL DEFAULT 0,
    detail       text NOT NULL DEFAULT ''
);
CREATE INDEX care_events_request_idx ON care_events (request_id, id);

-- Everyone's in-app inbox: a row per event for its recipient, written in the transaction of the event.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    kind       text NOT NULL,
    request_id bigint REFERENCES care_requests (id),
    offer_id   bigint REFERENCES care_offers (id),
    pairing_id bigint REFERENCES pairings (id),
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    read_at    timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- The state machines, again in the database: a move domain does not allow is refused here too, so two requests
-- racing (an accept and a cancel, two accepts) can never write one. Keep in step with domain/care.go.
-- +goose StatementBegin
CREATE FUNCTION refuse_bad_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    allowed text[];
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    allowed := CASE TG_TABLE_NAME
        WHEN 'care_requests' THEN CASE OLD.status
            WHEN 'submitted' THEN ARRAY['dispatching', 'matched', 'escalated', 'cancelled', 'expired']
            WHEN 'dispatching' THEN ARRAY['matched', 'escalated', 'cancelled', 'expired']
            WHEN 'escalated' THEN ARRAY['dispatching', 'matched', 'cancelled', 'expired']
            WHEN 'matched' THEN ARRAY['in_service', 'dispatching', 'cancelled']
            WHEN 'in_service' THEN ARRAY['matched', 'completed', 'cancelled']
            WHEN 'completed' THEN ARRAY['closed']
            ELSE ARRAY[]::text[] END
        WHEN 'care_offers' THEN CASE OLD.status
            WHEN 'pending' THEN ARRAY['accepted', 'declined', 'expired', 'withdrawn']
            ELSE ARRAY[]::text[] END
        WHEN 'pairings' THEN CASE OLD.status
            WHEN 'active' THEN ARRAY['ended']
            ELSE ARRAY[]::text[] END
        WHEN 'care_services' THEN CASE OLD.status
            WHEN 'checked_in' THEN ARRAY['checked_out']
            WHEN 'checked_out' THEN ARRAY['confirmed']
            ELSE ARRAY[]::text[] END
    END;
    IF NOT NEW.status = ANY (allowed) THEN
        RAISE EXCEPTION '%: % → % refused', TG_TABLE_NAME, OLD.status, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER care_requests_moves BEFORE UPDATE OF status ON care_requests FOR EACH ROW EXECUTE FUNCTION refuse_bad_move();
CREATE TRIGGER care_offers_moves BEFORE UPDATE OF status ON care_offers FOR EACH ROW EXECUTE FUNCTION refuse_bad_move();
CREATE TRIGGER pairings_moves BEFORE UPDATE OF status ON pairings FOR EACH ROW EXECUTE FUNCTION refuse_bad_move();
CREATE TRIGGER care_services_moves BEFORE UPDATE OF status ON care_services FOR EACH ROW EXECUTE FUNCTION refuse_bad_move();

-- +goose Down
DROP TABLE notifications, care_events, care_services, care_offers, care_occurrences, care_requests, pairings;
DROP FUNCTION refuse_bad_move();
ALTER TABLE volunteer_profiles DROP CONSTRAINT volunteer_grades_in_order,
    DROP COLUMN vehicle_seats, DROP COLUMN subjects, DROP COLUMN grade_from, DROP COLUMN grade_to,
    DROP COLUMN active_pairings, DROP COLUMN rating_sum, DROP COLUMN rating_count, DROP COLUMN confirmed_minutes,
    DROP COLUMN last_offer_at, DROP COLUMN offers_day, DROP COLUMN offers_that_day;
ALTER TABLE consents DROP CONSTRAINT consents_kind_check;
ALTER TABLE consents ADD CONSTRAINT consents_kind_check CHECK (kind IN ('privacy', 'children_data'));
ALTER TABLE programs DROP COLUMN offers_emergency, DROP COLUMN minutes_emergency, DROP COLUMN offers_urgent,
    DROP COLUMN minutes_urgent, DROP COLUMN offers_normal, DROP COLUMN minutes_normal, DROP COLUMN daily_offer_cap,
    DROP COLUMN updated_at;
