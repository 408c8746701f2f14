-- +goose Up
-- The published figures (repository/care_figures.go, DispatchFairness): the board's fairness reads the offers of the
-- last 30 days and the public pages the services confirmed in the last twelve months. Both tables only grow; without
-- these, each read would scan every offer and service ever made. The offers' volunteer and the services' request
-- and minutes are in the index, so neither read visits the table.
CREATE INDEX care_offers_created_idx ON care_offers (created_at) INCLUDE (volunteer_id);
CREATE INDEX care_services_confirmed_idx ON care_services (checked_in_at) INCLUDE (request_id, minutes)
    WHERE status = 'confirmed';

-- +goose Down
DROP INDEX care_services_confirmed_idx, care_offers_created_idx;
