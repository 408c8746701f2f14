-- +goose Up
-- The candidate query of dispatch (repository/care_candidates.go) on a city of 60,000 volunteers. For a ride in a
-- central district on a weekday evening some 4,000 volunteers pass, and the query returns each with the codes of
-- their verified qualifications:
--   * the weekly slots the request needs are looked up like the district, so the two GIN scans are ANDed into one
--     bitmap before any profile is read (rather than reading every profile of the district and filtering);
--   * each candidate's verified codes (and whether one is the qualification asked for) are read from an index alone,
--     without a visit to the table per candidate.
CREATE INDEX volunteer_profiles_availability_idx ON volunteer_profiles USING gin (availability);
CREATE INDEX volunteer_qualifications_verified_idx ON volunteer_qualifications (user_id, code) WHERE status = 'verified';

-- +goose Down
DROP INDEX volunteer_qualifications_verified_idx, volunteer_profiles_availability_idx;
