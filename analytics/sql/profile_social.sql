-- profile_social: write-up 4.2 (2) "social behavior patterns" of one user, %(user_id)s, over
-- [%(start)s, %(end)s): profile browsing (social_interaction profile_visit and profile_activity, the latter's
-- twin of a profile_visit left out, self-visits left out), connection activity (social connection_* rows and
-- content_interaction 'connection' rows), messages, vibes, and community engagement (community content and
-- group actions). One row.
-- Parameters: %(user_id)s, %(start)s, %(end)s.
WITH visits_out AS (
    SELECT target_user_id AS other FROM social_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(interaction_type)) = 'profile_visit' AND target_user_id IS DISTINCT FROM user_id
      AND target_user_id IS NOT NULL
    UNION ALL
    SELECT profile_owner_id FROM profile_activity
    WHERE visitor_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND profile_owner_id <> visitor_id
      AND metadata ->> 'query_type' IS DISTINCT FROM 'profile_by_user_id'
),
visits_in AS (
    SELECT user_id AS other FROM social_interaction
    WHERE target_user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(interaction_type)) = 'profile_visit' AND user_id <> %(user_id)s
    UNION ALL
    SELECT visitor_id FROM profile_activity
    WHERE profile_owner_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND visitor_id <> profile_owner_id
      AND metadata ->> 'query_type' IS DISTINCT FROM 'profile_by_user_id'
),
social AS (
    SELECT lower(btrim(interaction_type)) AS itype, context_type FROM social_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
),
connection_rows AS (
    SELECT lower(btrim(interaction_type)) AS itype FROM content_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(content_type)) = 'connection'
),
community_rows AS (
    SELECT lower(btrim(content_id)) AS content_id, lower(btrim(content_type)) AS ctype FROM content_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(content_type)) IN ('community', 'subcommunity', 'community_post')
      AND NOT (lower(btrim(interaction_type)) = 'view' AND coalesce(metadata ->> 'source' = 'feed_view', false))
),
vibes AS (
    SELECT lower(btrim(activity_type)) AS atype FROM vibe_activity
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s AND success
)
SELECT
    (SELECT count(*) FROM visits_out) AS profile_visits,
    (SELECT count(DISTINCT other) FROM visits_out) AS profiles_visited,
    (SELECT count(*) FROM visits_in) AS visits_received,
    (SELECT count(DISTINCT other) FROM visits_in) AS visitors,
    (SELECT count(*) FROM social WHERE itype = 'connection_request')
      + (SELECT count(*) FROM connection_rows WHERE itype = 'send_request') AS connection_requests,
    (SELECT count(*) FROM social WHERE itype = 'connection_accept')
      + (SELECT count(*) FROM connection_rows WHERE itype IN ('accepted', 'accept_request')) AS connections_accepted,
    (SELECT count(*) FROM social WHERE itype LIKE 'connection\_%%')
      + (SELECT count(*) FROM connection_rows) AS connection_events,
    (SELECT count(*) FROM social WHERE itype = 'message_send') AS messages_sent,
    (SELECT count(*) FROM vibes WHERE atype = 'vibe_send') AS vibes_sent,
    (SELECT count(*) FROM vibes WHERE atype = 'vibe_receive') AS vibes_received,
    (SELECT count(*) FROM community_rows)
      + (SELECT count(*) FROM social WHERE itype IN ('group_join', 'group_leave', 'group_invite')) AS community_actions,
    (SELECT count(DISTINCT content_id) FROM community_rows WHERE ctype IN ('community', 'subcommunity'))
      AS communities_engaged
