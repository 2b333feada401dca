-- The platform write-up's user-similarity query (section 4.1, "User Similarity Analysis"): the SQL baseline
-- of `activity-graph bench similarity` (algorithms/bench.py). Two changes, no others:
--   * HAVING spells the sum out: Postgres rejects an output alias (similarity_score) there;
--   * NOW() is a fixed reference time, the parameter reference_time, so the 30-day window covers the generated data
--     however long ago it was generated (the benchmark passes the generator's end).
-- It joins every pair of users who have the same (content_type, interaction_type), so it grows with the
-- square of the number of users.
WITH user_interactions AS (
    SELECT
        user_id,
        content_type,
        interaction_type,
        COUNT(*) as interaction_count
    FROM content_interaction
    WHERE created_at >= %(reference_time)s::timestamptz - INTERVAL '30 days'
    GROUP BY user_id, content_type, interaction_type
)
SELECT
    u1.user_id as user1,
    u2.user_id as user2,
    -- Similarity score based on interaction patterns
    SUM(LEAST(u1.interaction_count, u2.interaction_count)) as similarity_score
FROM user_interactions u1
JOIN user_interactions u2 ON u1.content_type = u2.content_type
    AND u1.interaction_type = u2.interaction_type
    AND u1.user_id < u2.user_id
GROUP BY u1.user_id, u2.user_id
HAVING SUM(LEAST(u1.interaction_count, u2.interaction_count)) > 10
ORDER BY similarity_score DESC;
