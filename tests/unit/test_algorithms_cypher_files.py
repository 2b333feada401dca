"""The jobs' Cypher files: every name the code uses exists, every file is used, placeholders are known."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from algorithms.cypher_text import PLACEHOLDER, PLACEHOLDERS, statement
from graph.cypher import CYPHER_DIR
from graph.settings import Settings

ALGORITHMS_DIR = Path(__file__).resolve().parents[2] / "algorithms"
FILES = {p.stem for p in (CYPHER_DIR / "algorithms").glob("*.cypher")}

# Loader -> (positional indexes, keywords) where it takes a `cypher/algorithms/<name>` name.
LOADERS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "statement": ((0,), ("name",)),
    "run_auto_commit": ((0,), ("query_name",)),
    "_run": ((1, 2), ("name",)),
    "_read": ((0,), ("name",)),
    "node_write": ((0,), ("query",)),
    "NodeWrite": ((0,), ("query",)),
    "ProjectionSpec": ((1, 2), ("query", "count_query")),
    "SharingInput": ((1,), ("query",)),
    "run_node_similarity": ((), ("sharing_query",)),
    "query": ((0,), ()),
}


def _named_queries() -> set[str]:
    """Every constant query name passed to a loader anywhere in algorithms/."""
    names: set[str] = set()
    for path in ALGORITHMS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if func not in LOADERS:
                continue
            positions, keywords = LOADERS[func]
            args = [node.args[i] for i in positions if i < len(node.args)]
            args += [k.value for k in node.keywords if k.arg in keywords]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.add(arg.value.removeprefix("algorithms/"))
    return names


def test_every_file_is_used_by_the_code() -> None:
    unused = FILES - _named_queries()
    assert not unused, f"cypher/algorithms files no code loads: {sorted(unused)}"


def test_every_query_the_code_names_exists() -> None:
    missing = _named_queries() - FILES
    assert not missing, f"names with no cypher/algorithms file: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(FILES))
def test_placeholders_are_known_and_render(name: str) -> None:
    text = (CYPHER_DIR / "algorithms" / f"{name}.cypher").read_text()
    assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDERS)
    rendered = statement(name, Settings.model_construct(user_label="Members", user_key="member_id"))
    assert "${" not in rendered
    if "${user_label}" in text:
        assert "`Members`" in rendered


def test_label_settings_must_be_plain_identifiers() -> None:
    with pytest.raises(ValueError):
        statement("top_influence", Settings.model_construct(user_label="Users) DETACH DELETE (x", user_key="id"))
