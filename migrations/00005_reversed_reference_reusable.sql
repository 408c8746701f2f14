-- +goose Up
-- A reversed donation no longer holds its payment reference: the corrected gift (or the corrected statement line)
-- can be recorded under the bank's own reference again.
DROP INDEX donations_channel_reference_key;
CREATE UNIQUE INDEX donations_channel_reference_key ON donations (channel, reference)
    WHERE reference <> '' AND reversed_at IS NULL;

-- +goose Down
DROP INDEX donations_channel_reference_key;
CREATE UNIQUE INDEX donations_channel_reference_key ON donations (channel, reference) WHERE reference <> '';
