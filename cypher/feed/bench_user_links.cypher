// Feed benchmark graph: user-user relationships. Parameters: $rows [[from key, to key, type, weight or score,
// last ms]]; type VISITED / VIBED (weight, last_at), CONNECTED (state 'connected'), SIMILAR_TO (score, run_id
// $run_id).
UNWIND $rows AS r
MATCH (a:{{user_label}} {{{user_key}}: r[0]})
MATCH (b:{{user_label}} {{{user_key}}: r[1]})
FOREACH (_ IN CASE WHEN r[2] = 'VISITED' THEN [1] ELSE [] END |
  CREATE (a)-[:VISITED {weight: r[3], count: 1, last_at: datetime({epochMillis: r[4]})}]->(b))
FOREACH (_ IN CASE WHEN r[2] = 'VIBED' THEN [1] ELSE [] END |
  CREATE (a)-[:VIBED {weight: r[3], count: 1, last_at: datetime({epochMillis: r[4]})}]->(b))
FOREACH (_ IN CASE WHEN r[2] = 'CONNECTED' THEN [1] ELSE [] END |
  CREATE (a)-[:CONNECTED {state: 'connected', at: datetime({epochMillis: r[4]})}]->(b))
FOREACH (_ IN CASE WHEN r[2] = 'SIMILAR_TO' THEN [1] ELSE [] END |
  CREATE (a)-[:SIMILAR_TO {score: r[3], source: 'bench', run_id: $run_id}]->(b))
