-- +goose Up
-- A staff member's pairings: every dispatch, every request a bulk proposal weighs (repository/care_candidates.go,
-- facts), her home page and the close of her account read them by staff_id. The other indexes lead with staff_id
-- only for active or refused pairs, so each of those reads scanned every pairing of the city (18,706 on the seeded
-- city: 2 ms each, 200 ms of a morning's proposal).
CREATE INDEX pairings_staff_idx ON pairings (staff_id, status);

-- +goose Down
DROP INDEX pairings_staff_idx;
