-- import_feed_views: the platform's own feed impressions of [%(start)s, %(end)s) (content_interaction `view`
-- rows with metadata.source = 'feed_view') recorded as one experiment's impressions, each user in the variant
-- given by the parallel arrays %(user_ids)s / %(variants)s / %(versions)s (assigned in Python by
-- analytics.experiments.assign; users not in them are left out). position = rank within the feed load (the
-- same user and second). For the demo and for backfilling an experiment that ran before impressions were
-- recorded. Parameters: %(start)s, %(end)s, %(experiment)s, %(user_ids)s, %(variants)s, %(versions)s.
INSERT INTO activity_graph_feed_impression
    (user_id, content_type, content_id, algorithm_version, position, experiment, variant, content_source, shown_at)
SELECT ci.user_id, lower(btrim(ci.content_type)), btrim(ci.content_id), a.version,
       row_number() OVER (PARTITION BY ci.user_id, date_trunc('second', ci."timestamp") ORDER BY ci."timestamp", ci.id),
       %(experiment)s, a.variant,
       left(coalesce(nullif(btrim(ci.metadata ->> 'content_source'), ''), 'unknown'), 32), ci."timestamp"
FROM content_interaction ci
JOIN unnest(%(user_ids)s::integer[], %(variants)s::text[], %(versions)s::text[]) AS a(user_id, variant, version)
    ON a.user_id = ci.user_id
WHERE lower(btrim(ci.interaction_type)) = 'view' AND coalesce(ci.metadata ->> 'source' = 'feed_view', false)
  AND ci."timestamp" >= %(start)s AND ci."timestamp" < %(end)s
  AND btrim(ci.content_id) <> '' AND btrim(ci.content_type) <> ''
