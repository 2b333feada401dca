"""The analytics' named SQL and Cypher: every name the code uses exists, every file is used, includes resolve,
and no text reaches psycopg with a `%` that is not a placeholder."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analytics.sqlfiles import all_names, sql_text
from graph.cypher import CYPHER_DIR, render

ANALYTICS_DIR = Path(__file__).resolve().parents[2] / "analytics"
CYPHER_FILES = {p.stem for p in (CYPHER_DIR / "analytics").glob("*.cypher")}
# loader -> position of the name argument
SQL_LOADERS = {"sql_text": 0, "fetch_all": 1, "fetch_one": 1, "fetch_report": 1}
CYPHER_LOADERS = {"run": 1}


def _names(loaders: dict[str, int]) -> set[str]:
    names: set[str] = set()
    for path in ANALYTICS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            pos = loaders.get(func)
            if pos is not None and pos < len(node.args):
                arg = node.args[pos]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.add(arg.value)
    return names


def _included() -> set[str]:
    found: set[str] = set()
    for name in all_names():
        text = (ANALYTICS_DIR / "sql" / f"{name}.sql").read_text()
        found.update(re.findall(r"^--\s*@include\s+(\w+)", text, re.MULTILINE))
    return found


def test_every_sql_file_is_used_and_exists() -> None:
    used = _names(SQL_LOADERS)
    assert not used - set(all_names()), f"names with no analytics/sql file: {sorted(used - set(all_names()))}"
    unused = set(all_names()) - used - _included()
    assert not unused, f"analytics/sql files nothing loads: {sorted(unused)}"


@pytest.mark.parametrize("name", all_names())
def test_sql_text_has_only_placeholders(name: str) -> None:
    text = sql_text(name)
    assert "-- @include" not in text and not re.search(r"^\s*--", text, re.MULTILINE)
    stray = re.sub(r"%\(\w+\)s|%%|%s", "", text)
    assert "%" not in stray, f"{name}: a '%' psycopg would read as a placeholder"


def test_every_cypher_file_is_used_and_renders() -> None:
    used = _names(CYPHER_LOADERS)
    assert used == CYPHER_FILES, (sorted(used), sorted(CYPHER_FILES))
    parts = {"user_label": "`Users`", "user_key": "`user_id`", "label": "`Post`", "content_key": "`uid`"}
    for name in sorted(CYPHER_FILES):
        text = render(f"analytics/{name}", **parts)
        assert "{{" not in text and "$run" in text
