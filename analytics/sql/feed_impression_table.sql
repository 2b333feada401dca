-- The feed impressions activity-graph records (analytics/impressions.py, record_impressions): what a feed
-- showed, to whom, in which position, under which algorithm version and A/B variant. A table this project
-- owns in the platform database (never one of the platform's); applied idempotently.
-- No foreign key to auth_user: Django deletes a user's rows itself (on_delete is emulated in Python) and
-- knows nothing of this table, so a key would make deleting a user fail. record_impressions checks the
-- user exists instead.
CREATE TABLE IF NOT EXISTS activity_graph_feed_impression (
    id                 bigserial PRIMARY KEY,
    user_id            integer NOT NULL CHECK (user_id > 0),
    content_type       varchar(32) NOT NULL CHECK (content_type <> ''),
    content_id         varchar(100) NOT NULL CHECK (content_id <> ''),
    algorithm_version  varchar(64) NOT NULL CHECK (algorithm_version <> ''),
    position           integer NULL CHECK (position >= 0),
    experiment         varchar(64) NULL,
    variant            varchar(64) NULL,
    content_source     varchar(32) NULL,
    shown_at           timestamptz NOT NULL,
    CONSTRAINT activity_graph_feed_impression_variant CHECK ((experiment IS NULL) = (variant IS NULL))
);
CREATE INDEX IF NOT EXISTS activity_graph_feed_impression_user_idx
    ON activity_graph_feed_impression (user_id, shown_at);
CREATE INDEX IF NOT EXISTS activity_graph_feed_impression_shown_idx
    ON activity_graph_feed_impression (shown_at);
CREATE INDEX IF NOT EXISTS activity_graph_feed_impression_experiment_idx
    ON activity_graph_feed_impression (experiment, variant, shown_at) WHERE experiment IS NOT NULL;
