// Feed benchmark graph: then the nodes (feed/bench_wipe took their relationships).
MATCH (n)
CALL { WITH n DELETE n } IN TRANSACTIONS OF 20000 ROWS
