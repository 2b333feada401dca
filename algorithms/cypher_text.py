"""The jobs' Cypher files, with the label and key settings filled in as validated identifiers.

A file writes `${user_label}` or `${user_key}` where a label or property name from the settings
goes (`:${user_label}`, `u.${user_key}`); everything else is a `$parameter`. Identifiers pass
`graph.schema.ident` (plain names only, backticked), so no value ever becomes Cypher text.
Dynamic labels (`:$($label)`) would avoid the substitution, but Neo4j 5.26 plans them as an
all-nodes scan, which a lookup by user key cannot afford.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from graph.cypher import query
from graph.schema import ident
from graph.settings import Settings, get_settings

PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
PLACEHOLDERS = ("user_label", "user_key")

# "Label / relationship type / property does not exist": expected while the sync has not yet written every
# type these files name (CONNECTED on a fresh graph, say); dropped for these files' queries only.
_UNKNOWN_SCHEMA_STATUSES = frozenset({"01N50", "01N51", "01N52"})
_rendered: set[str] = set()


class _SkipUnknownSchemaWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        printer = args[0] if args else None
        status = getattr(getattr(printer, "notification", None), "gql_status", None)
        return not (status in _UNKNOWN_SCHEMA_STATUSES and getattr(printer, "query", None) in _rendered)


logging.getLogger("neo4j.notifications").addFilter(_SkipUnknownSchemaWarnings())


@cache
def _render(name: str, user_label: str, user_key: str) -> str:
    values = {"user_label": ident(user_label), "user_key": ident(user_key)}

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"cypher/algorithms/{name}.cypher: unknown placeholder ${{{key}}}")
        return values[key]

    text = PLACEHOLDER.sub(fill, query(f"algorithms/{name}"))
    _rendered.add(text)
    return text


def statement(name: str, settings: Settings | None = None) -> str:
    """`cypher/algorithms/<name>.cypher` with the label and key settings filled in."""
    s = settings or get_settings()
    return _render(name, s.user_label, s.user_key)
