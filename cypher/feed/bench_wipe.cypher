// Feed benchmark graph: empty the database first, in batches (the benchmark owns its graph).
MATCH (n)
CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
