// Match-only mode: which of these nodes exist (rows naming the others are quarantined).
UNWIND $keys AS k
OPTIONAL MATCH (n:{{label}} {{{match}}})
RETURN k AS key, n IS NOT NULL AS found
