"""Named Cypher: `cypher/<area>/<verb_noun>.cypher`, loaded once by name."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

CYPHER_DIR = Path(os.environ.get("ACTIVITY_GRAPH_CYPHER_DIR", Path(__file__).resolve().parents[1] / "cypher"))


class UnknownQuery(KeyError):
    """A query name with no `.cypher` file behind it."""


@cache
def query(name: str) -> str:
    """The text of `cypher/<name>.cypher`, e.g. `query("sync/merge_edges")`."""
    path = CYPHER_DIR / f"{name}.cypher"
    if not path.is_file():
        raise UnknownQuery(f"no Cypher file {path}")
    return path.read_text()


def statements(name: str) -> list[str]:
    """A file holding several statements separated by `;` lines (schema files), in order."""
    parts = [p.strip() for p in query(name).split(";")]
    return [p for p in parts if p and not all(line.strip().startswith("//") for line in p.splitlines())]


def all_names() -> list[str]:
    """Every query name on disk, for the test that checks each file is used and each name exists."""
    return sorted(str(p.relative_to(CYPHER_DIR).with_suffix("")) for p in CYPHER_DIR.rglob("*.cypher"))


_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def render(name: str, **parts: str) -> str:
    """A named query with `{{part}}` placeholders filled: labels, types and key names from settings.

    Only identifiers and fixed clause fragments built by the caller go in here (schema names cannot
    be parameters); every value still travels as a `$parameter`.
    """
    text = query(name)

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in parts:
            raise KeyError(f"{name}.cypher needs a value for {{{{{key}}}}}")
        return parts[key]

    return _PLACEHOLDER.sub(fill, text)
