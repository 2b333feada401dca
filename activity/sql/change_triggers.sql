-- Change capture for rows updated or deleted after they were written (sync/changes_log.py).
--
-- The sync reads inserts by id. An UPDATE or DELETE of an activity row writes the row's OLD and NEW
-- versions into activity_graph_change, in the same transaction, numbered by a per-table sequence.
-- The sync drains that log with the same id cursor as the table itself (gaps for late commits
-- included), in the same snapshot and the same Neo4j transaction as the table's batch: it retracts
-- the version the graph holds and applies the new one. Idempotent: run it again to re-create the
-- triggers.
-- `TRUNCATE` is not captured (a truncated table needs a graph rebuild).
--
-- Also a statement-level NOTIFY on every write, so `sync follow` (LISTEN activity_graph_changed)
-- wakes up at once instead of at its next poll. NOTIFY makes committing transactions queue on one
-- lock briefly; drop the ag_notify_* triggers if the platform's insert rate ever makes that matter.

CREATE TABLE IF NOT EXISTS activity_graph_change (
    source_table  varchar(64) NOT NULL,
    seq           bigint NOT NULL,
    source_id     bigint NOT NULL,
    op            char(1) NOT NULL CHECK (op IN ('U', 'D')),
    old_row       jsonb NOT NULL,
    new_row       jsonb,           -- NULL for a delete
    changed_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activity_graph_change_pkey PRIMARY KEY (source_table, seq)
);

CREATE OR REPLACE FUNCTION activity_graph_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: the table's own sequence, so each table's log ids are dense (no foreign gaps).
    IF TG_OP = 'DELETE' THEN
        INSERT INTO activity_graph_change (source_table, seq, source_id, op, old_row, new_row)
        VALUES (TG_TABLE_NAME, nextval(TG_ARGV[0]::regclass), OLD.id, 'D', to_jsonb(OLD), NULL);
    ELSE
        INSERT INTO activity_graph_change (source_table, seq, source_id, op, old_row, new_row)
        VALUES (TG_TABLE_NAME, nextval(TG_ARGV[0]::regclass), OLD.id, 'U', to_jsonb(OLD), to_jsonb(NEW));
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION activity_graph_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('activity_graph_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['user_activity', 'content_interaction', 'social_interaction', 'profile_activity',
                             'media_interaction', 'session_activity', 'vibe_activity']
    LOOP
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', 'activity_graph_change_' || t || '_seq');
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', 'ag_change_upd_' || t, t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', 'ag_change_del_' || t, t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', 'ag_notify_' || t, t);
        -- Only real changes: Django saves every column, often unchanged.
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)'
                       ' EXECUTE FUNCTION activity_graph_log_change(%L)',
                       'ag_change_upd_' || t, t, 'activity_graph_change_' || t || '_seq');
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW'
                       ' EXECUTE FUNCTION activity_graph_log_change(%L)',
                       'ag_change_del_' || t, t, 'activity_graph_change_' || t || '_seq');
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION activity_graph_notify()', 'ag_notify_' || t, t);
    END LOOP;
END
$$;
