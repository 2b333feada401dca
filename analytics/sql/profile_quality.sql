-- profile_quality: write-up 4.2 (4) "quality indicators" of one user, %(user_id)s, over [%(start)s, %(end)s):
--   created             content the user created in the window, by content type (content_interaction 'create')
--   items_owned         content the user created before %(end)s (any time)
--   engagement_*        interactions of other users with that content in the window (not impressions): count,
--                       distinct users, and the engagement-quality weights' sum (%(weights)s, as section 4.1)
--   partners_out / _in  users this user engaged with (their content, their profile, a vibe) / who engaged with
--                       this user; partners_both = in both. Engagement reciprocity = both / (in + out - both).
-- One row. Parameters: %(user_id)s, %(start)s, %(end)s, %(weights)s (jsonb), %(default_weight)s.
WITH owned AS (
    SELECT DISTINCT lower(btrim(content_id)) AS content_id FROM content_interaction
    WHERE user_id = %(user_id)s AND "timestamp" < %(end)s AND lower(btrim(interaction_type)) = 'create'
      AND lower(btrim(content_type)) NOT IN ('connection', 'session')
),
created AS (
    SELECT lower(btrim(content_type)) AS content_type, count(*) AS n FROM content_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(interaction_type)) = 'create'
      AND lower(btrim(content_type)) NOT IN ('connection', 'session')
    GROUP BY 1
),
received AS (
    SELECT ci.user_id AS other, coalesce(nullif(lower(btrim(ci.interaction_type)), ''), 'unknown') AS itype
    FROM content_interaction ci JOIN owned o ON lower(btrim(ci.content_id)) = o.content_id
    WHERE ci."timestamp" >= %(start)s AND ci."timestamp" < %(end)s AND ci.user_id <> %(user_id)s
      AND lower(btrim(ci.interaction_type)) <> 'create'
      AND NOT (lower(btrim(ci.interaction_type)) = 'view' AND coalesce(ci.metadata ->> 'source' = 'feed_view', false))
),
engaged_out AS (
    SELECT DISTINCT lower(btrim(content_id)) AS content_id FROM content_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(interaction_type)) <> 'create'
      AND lower(btrim(content_type)) NOT IN ('connection', 'session')
      AND NOT (lower(btrim(interaction_type)) = 'view' AND coalesce(metadata ->> 'source' = 'feed_view', false))
),
authors AS (
    SELECT DISTINCT ci.user_id AS other
    FROM content_interaction ci JOIN engaged_out e ON lower(btrim(ci.content_id)) = e.content_id
    WHERE lower(btrim(ci.interaction_type)) = 'create' AND ci.user_id <> %(user_id)s AND ci."timestamp" < %(end)s
),
partners_out AS (
    SELECT other FROM authors
    UNION
    SELECT target_user_id FROM social_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(interaction_type)) = 'profile_visit' AND target_user_id IS NOT NULL
      AND target_user_id <> %(user_id)s
    UNION
    SELECT profile_owner_id FROM profile_activity
    WHERE visitor_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND profile_owner_id <> %(user_id)s
    UNION
    SELECT btrim(target_user_id)::integer FROM vibe_activity
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s AND success
      AND lower(btrim(activity_type)) = 'vibe_send' AND btrim(target_user_id) ~ '^[0-9]{1,9}$'
      AND btrim(target_user_id)::integer <> %(user_id)s
),
partners_in AS (
    SELECT other FROM received
    UNION
    SELECT user_id FROM social_interaction
    WHERE target_user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(interaction_type)) = 'profile_visit' AND user_id <> %(user_id)s
    UNION
    SELECT visitor_id FROM profile_activity
    WHERE profile_owner_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND visitor_id <> %(user_id)s
    UNION
    SELECT user_id FROM vibe_activity
    WHERE btrim(target_user_id) = %(user_id)s::text AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND success AND lower(btrim(activity_type)) = 'vibe_send' AND user_id <> %(user_id)s
)
SELECT
    (SELECT coalesce(jsonb_object_agg(content_type, n), '{}'::jsonb) FROM created) AS created,
    (SELECT count(*) FROM owned) AS items_owned,
    (SELECT count(*) FROM received) AS engagement_received,
    (SELECT count(DISTINCT other) FROM received) AS engagers,
    (SELECT coalesce(sum(coalesce((%(weights)s::jsonb ->> itype)::float8, %(default_weight)s)), 0.0)
       FROM received) AS engagement_score_received,
    (SELECT count(*) FROM partners_out) AS partners_out,
    (SELECT count(*) FROM partners_in) AS partners_in,
    (SELECT count(*) FROM (SELECT other FROM partners_out INTERSECT SELECT other FROM partners_in) b) AS partners_both
