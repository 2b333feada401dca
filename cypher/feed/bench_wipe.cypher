// Feed benchmark graph: empty the database first, in batches (the benchmark owns its graph). Relationships first,
// so no transaction holds a hub's thousands of relationships at once.
MATCH ()-[r]->()
CALL { WITH r DELETE r } IN TRANSACTIONS OF 20000 ROWS
