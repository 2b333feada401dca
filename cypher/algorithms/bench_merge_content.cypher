// The benchmark's direct loader (algorithms/bench.py, load="direct"): the content nodes of a batch, all as the
// generic content label keyed by (content_type, content_id), which its uniqueness constraint indexes.
// Parameters: $rows: [{t: content_type, i: content_id}].
UNWIND $rows AS row
MERGE (:Content {content_type: row.t, content_id: row.i})
