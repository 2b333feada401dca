-- feed_outcomes (included by feed_performance and ab_variants): every impression shown in
-- [%(start)s, %(end)s) with its outcome, as the CTE `outcomes`:
--   origin             'feed_view' (the platform's own log: content_interaction `view` rows with
--                      metadata.source = 'feed_view'; algorithm_version = metadata.algorithm, source =
--                      metadata.content_source) or 'recorded' (activity_graph_feed_impression)
--   clicked            a later interaction of the same user with the same content (by content id, lower-cased:
--                      the feed logs community posts as 'post') within %(window)s, not itself an impression
--                      and not one of %(negative_types)s, was attributed to this impression
--   engaged            one of those attributed interactions is of %(engagement_types)s
-- Attribution is last-touch, per origin: an interaction counts for the latest impression of that content to
-- that user before it (within the window), so showing an item twice does not count one click twice. Each
-- origin is attributed on its own, as if it were the only log. Impressions up to %(end)s + window are
-- read so that a later impression takes the credit from an earlier one; only those in range are reported.
-- The estimates of the jsonb filters are poor (a guess of one row), which makes Postgres pick nested loops
-- that grow with impressions x interactions; the caller runs this with enable_nestloop off (hash joins).
-- Parameters: %(start)s, %(end)s, %(window)s (interval), %(feed_view)s, %(recorded)s (booleans: which origins),
-- %(experiment)s (NULL: all), %(engagement_types)s, %(negative_types)s (text[]).
ci AS (
    SELECT id, user_id, lower(btrim(content_id)) AS content_id, "timestamp" AS at,
           lower(btrim(interaction_type)) AS itype,
           (lower(btrim(interaction_type)) = 'view' AND coalesce(metadata ->> 'source' = 'feed_view', false)) AS impression,
           metadata ->> 'algorithm' AS algorithm, metadata ->> 'content_source' AS content_source
    FROM content_interaction
    WHERE "timestamp" >= %(start)s AND "timestamp" <= %(end)s + %(window)s
),
imp AS (
    SELECT 'feed_view'::text AS origin, ci.id AS imp_id, ci.user_id, ci.content_id, ci.at AS shown_at,
           coalesce(nullif(btrim(ci.algorithm), ''), 'unknown')::text AS algorithm_version,
           coalesce(nullif(btrim(ci.content_source), ''), 'unknown')::text AS source,
           NULL::text AS experiment, NULL::text AS variant
    FROM ci
    WHERE %(feed_view)s AND ci.impression AND ci.at < %(end)s + %(window)s
    UNION ALL
    SELECT 'recorded', fi.id, fi.user_id, lower(btrim(fi.content_id)), fi.shown_at, fi.algorithm_version::text,
           coalesce(fi.content_source, 'recorded')::text, fi.experiment::text, fi.variant::text
    FROM activity_graph_feed_impression fi
    WHERE %(recorded)s
      AND fi.shown_at >= %(start)s AND fi.shown_at < %(end)s + %(window)s
      AND (%(experiment)s::text IS NULL OR fi.experiment = %(experiment)s::text)
),
act AS (
    SELECT ci.id AS act_id, ci.user_id, ci.content_id, ci.at, ci.itype = ANY(%(engagement_types)s::text[]) AS engaged
    FROM ci
    WHERE NOT ci.impression AND ci.at > %(start)s AND ci.itype <> ALL(%(negative_types)s::text[])
),
matched AS (
    SELECT i.origin, i.imp_id, a.engaged,
           row_number() OVER (PARTITION BY i.origin, a.act_id ORDER BY i.shown_at DESC, i.imp_id DESC) AS rn
    FROM act a
    JOIN imp i ON i.user_id = a.user_id AND i.content_id = a.content_id
    WHERE a.at > i.shown_at AND a.at <= i.shown_at + %(window)s
),
credited AS (
    SELECT origin, imp_id, bool_or(engaged) AS engaged FROM matched WHERE rn = 1 GROUP BY origin, imp_id
),
outcomes AS (
    SELECT i.origin, i.imp_id, i.user_id, i.content_id, i.shown_at, (i.shown_at AT TIME ZONE 'UTC')::date AS day,
           i.algorithm_version, i.source, i.experiment, i.variant,
           c.imp_id IS NOT NULL AS clicked, coalesce(c.engaged, false) AS engaged
    FROM imp i
    LEFT JOIN credited c ON c.origin = i.origin AND c.imp_id = i.imp_id
    WHERE i.shown_at < %(end)s
)
