#!/usr/bin/env python3
"""Prove a Neo4j server with the GDS plugin is really there: versions plus one tiny nodeSimilarity.

Needs only the `neo4j` driver (5.x or 6.x). Connection from the environment:
  NEO4J_URI        default bolt://127.0.0.1:$NEO4J_BOLT_PORT (7687)
  NEO4J_USER       default neo4j
  NEO4J_PASSWORD   default: the first line of .services/neo4j/password (written by services/neo4j.sh)
  NEO4J_DATABASE   default: the server's default database

Prints `neo4j <server version> gds <gds.version()>` and the similarity result; the graph is
projected in memory from literal pairs (nothing is written to the database) and dropped again.
Exit status: 0 ok, 1 check failed, 2 no password / driver missing.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

PASSWORD_FILE = Path(__file__).resolve().parents[1] / ".services" / "neo4j" / "password"

# Three "users" (1, 2, 3) and the "items" (10, 11) they touch: users 1 and 2 are identical.
SIMILARITY_QUERY = """
UNWIND [[1, 10], [1, 11], [2, 10], [2, 11], [3, 11]] AS pair
WITH gds.graph.project($graph_name, pair[0], pair[1]) AS g
CALL gds.nodeSimilarity.stream($graph_name)
YIELD node1, node2, similarity
RETURN count(*) AS pairs, max(similarity) AS top
"""


def password() -> str | None:
    if os.environ.get("NEO4J_PASSWORD"):
        return os.environ["NEO4J_PASSWORD"]
    try:
        return PASSWORD_FILE.read_text().splitlines()[0].strip() or None
    except (OSError, IndexError):
        return None


def main() -> int:
    try:
        from neo4j import GraphDatabase
    except ImportError:
        print("neo4j_check: the `neo4j` Python driver is not installed", file=sys.stderr)
        return 2

    uri = os.environ.get("NEO4J_URI") or f"bolt://127.0.0.1:{os.environ.get('NEO4J_BOLT_PORT', '7687')}"
    user = os.environ.get("NEO4J_USER", "neo4j")
    database = os.environ.get("NEO4J_DATABASE") or None
    secret = password()
    if not secret:
        print(f"neo4j_check: set NEO4J_PASSWORD or create {PASSWORD_FILE}", file=sys.stderr)
        return 2

    graph_name = f"neo4j_check_{uuid.uuid4().hex[:12]}"
    try:
        with GraphDatabase.driver(uri, auth=(user, secret)) as driver, driver.session(database=database) as session:
            components = session.run(
                "CALL dbms.components() YIELD name, versions, edition "
                "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version, edition"
            ).single(strict=True)
            gds_version = session.run("RETURN gds.version() AS v").single(strict=True)["v"]
            print(f"neo4j {components['version']} ({components['edition']}) gds {gds_version}")
            try:
                row = session.run(SIMILARITY_QUERY, graph_name=graph_name).single(strict=True)
            finally:
                session.run(
                    "CALL gds.graph.drop($graph_name, false) YIELD graphName RETURN graphName",
                    graph_name=graph_name,
                ).consume()
            pairs, top = row["pairs"], row["top"]
            print(f"nodeSimilarity on a projected 5-node graph: {pairs} pairs, top similarity {top}")
            if pairs < 1 or top is None or abs(top - 1.0) > 1e-9:
                print("neo4j_check: unexpected nodeSimilarity result (want >= 1 pair, top 1.0)", file=sys.stderr)
                return 1
    except Exception as exc:  # any driver or server error is a failed check
        print(f"neo4j_check: {uri} as {user}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
