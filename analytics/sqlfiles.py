"""Named SQL: `analytics/sql/<name>.sql`, loaded once by name.

A line `-- @include <name>` is replaced by that file's text, so queries that share a part (the feed's
impression outcomes) keep it in one file. Other whole-line `--` comments are dropped before the text reaches
psycopg (which would read a `%` in a comment as a placeholder). Values always travel as psycopg parameters.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_INCLUDE = re.compile(r"^--\s*@include\s+(\w+)\s*$", re.MULTILINE)


class UnknownSql(KeyError):
    """A name with no `.sql` file behind it."""


def _raw(name: str) -> str:
    path = resources.files("analytics").joinpath("sql").joinpath(f"{name}.sql")
    if not path.is_file():
        raise UnknownSql(f"no SQL file analytics/sql/{name}.sql")
    return path.read_text()


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


@cache
def sql_text(name: str) -> str:
    """The text of `analytics/sql/<name>.sql`: includes expanded, comment lines dropped."""
    expanded = _INCLUDE.sub(lambda m: sql_text(m.group(1)).strip().rstrip(";"), _raw(name))
    return _strip_comments(expanded).strip()


def all_names() -> list[str]:
    """Every SQL name on disk (for the test that checks each file is used and each name exists)."""
    folder = resources.files("analytics").joinpath("sql")
    return sorted(p.name.removesuffix(".sql") for p in folder.iterdir() if p.name.endswith(".sql"))
