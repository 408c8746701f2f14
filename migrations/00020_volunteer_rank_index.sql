-- +goose Up
-- The dispatch page lists a request's twenty best candidates (repository/care_candidates.go, best). Ranking puts
-- those based in her district first (unless the help is remote), then orders them by load, rating, never offered
-- and the oldest last offer. These indexes hold the profiles in that order, each district's and all, so the page
-- walks the first few instead of reading and ranking every one of the thousands who could help. The expressions
-- are rankKeys's, written the same way (an index serves an ORDER BY only on the same expressions).
CREATE INDEX volunteer_profiles_rank_idx ON volunteer_profiles ((districts[1]),
	(active_pairings::float8 / NULLIF(capacity, 0)),
	(CASE WHEN rating_count > 0 THEN (20 * rating_sum + rating_count) / (2 * rating_count) ELSE 40 END) DESC,
	(last_offer_at IS NULL) DESC, last_offer_at, user_id);
CREATE INDEX volunteer_profiles_rank_remote_idx ON volunteer_profiles (
	(active_pairings::float8 / NULLIF(capacity, 0)),
	(CASE WHEN rating_count > 0 THEN (20 * rating_sum + rating_count) / (2 * rating_count) ELSE 40 END) DESC,
	(last_offer_at IS NULL) DESC, last_offer_at, user_id);
-- Statistics of the indexed expressions now, not at autovacuum's next pass: without them the planner takes a
-- district for 0.5 % of the profiles and ANDs bitmaps, sorting thousands, instead of walking the index.
ANALYZE volunteer_profiles;

-- +goose Down
DROP INDEX volunteer_profiles_rank_remote_idx, volunteer_profiles_rank_idx;
