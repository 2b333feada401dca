-- Tables activity-graph owns in the platform database (never the platform's own tables).

-- Rows the sync could not turn into a correct graph change: kept with the reason, never dropped.
CREATE TABLE IF NOT EXISTS activity_graph_quarantine (
    id              bigserial PRIMARY KEY,
    source_table    varchar(64) NOT NULL,
    source_id       bigint NOT NULL,
    reason          text NOT NULL,
    row_data        jsonb,
    quarantined_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activity_graph_quarantine_once UNIQUE (source_table, source_id)
);
CREATE INDEX IF NOT EXISTS activity_graph_quarantine_table_idx
    ON activity_graph_quarantine (source_table, quarantined_at);
