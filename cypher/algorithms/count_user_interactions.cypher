// Size of the user interaction graph (every user; visits, vibes and connections, both ways), for the estimate.
CALL () {
  MATCH (u:${user_label})
  RETURN count(u) AS users
}
CALL () {
  MATCH (:${user_label})-[r:VISITED|VIBED|CONNECTED]->(:${user_label})
  RETURN 2 * count(r) AS interactions
}
RETURN users AS node_count, interactions AS relationship_count
