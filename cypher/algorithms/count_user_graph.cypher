// Size of the user graph (every user, social ties, engaged content when $include_engagement), for the
// estimate, and how many users are cold (fewer than $cold_start_min_engagements engagements).
CALL () {
  MATCH (u:${user_label})
  RETURN count(u) AS users,
         sum(CASE WHEN COUNT { (u)-[:ENGAGED_WITH]->() } < $cold_start_min_engagements THEN 1 ELSE 0 END) AS cold_users
}
CALL () {
  MATCH (:${user_label})-[r:VISITED|VIBED|CONNECTED]->(:${user_label})
  RETURN count(r) AS social
}
CALL () {
  MATCH (:${user_label})-[r:ENGAGED_WITH]->(c)
  WHERE $include_engagement
  RETURN count(r) AS engagements, count(DISTINCT c) AS contents
}
RETURN users + contents AS node_count, social + engagements AS relationship_count, cold_users, engagements
