// Write-back of the sharing engine's similarities: one row per source node with its top K, each edge under
// the run's id (invisible to readers until the run's pointer switch). $source null (content similarity)
// leaves the property out, as write_similar_content.cypher does.
// Parameters: $rows [{a: elementId, b: [elementId], s: [score]}], $source, $run_id, $computed_at.
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.a
UNWIND range(0, size(row.b) - 1) AS i
MATCH (b) WHERE elementId(b) = row.b[i]
CREATE (a)-[:SIMILAR_TO {score: row.s[i], source: $source, run_id: $run_id, computed_at: $computed_at}]->(b)
