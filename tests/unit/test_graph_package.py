"""The part the platform imports (`graph`): settings, secrets, the Cypher loader, neomodel coexistence."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph.cypher import CYPHER_DIR, UnknownQuery, all_names, query, render
from graph.settings import REPO_ROOT, Settings, redact_url

pytestmark = pytest.mark.graph_facing

PACKAGES = ("graph", "sync", "algorithms", "activity", "activity_graph", "analytics", "tracker", "evaluation")


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7999")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-value")
    s = Settings()
    assert s.neo4j_uri == "bolt://db.example:7999"
    assert s.neo4j_password.get_secret_value() == "s3cret-value"
    shown = str(s.safe_dict()) + repr(s) + str(s)
    assert "s3cret-value" not in shown


def test_urls_are_redacted_for_display() -> None:
    assert redact_url("postgresql://admin:pw@127.0.0.1:5433/activity") == "postgresql://admin:***@127.0.0.1:5433/activity"
    assert redact_url("redis://127.0.0.1:6380/0") == "redis://127.0.0.1:6380/0"


def test_unknown_query_is_a_clear_error() -> None:
    with pytest.raises(UnknownQuery):
        query("no/such_query")


def test_render_refuses_a_missing_part() -> None:
    with pytest.raises(KeyError, match="needs a value"):
        render("sync/merge_profiles", node_op="MERGE")


def _names_used_in_code() -> set[str]:
    pattern = re.compile(r"""(?:query|render|statements|cypher_text\.\w+|load|_q)\(\s*["']([a-z_]+/[a-z0-9_]+)["']""")
    used: set[str] = set()
    for folder in PACKAGES:
        for path in (REPO_ROOT / folder).rglob("*.py"):
            used.update(pattern.findall(path.read_text()))
    return used


def test_every_name_the_code_loads_exists() -> None:
    missing = sorted(_names_used_in_code() - set(all_names()))
    assert not missing, f"code loads Cypher files that do not exist: {missing}"


def test_every_cypher_file_is_used() -> None:
    text = "\n".join(p.read_text() for f in PACKAGES
                     for p in (REPO_ROOT / f).rglob("*.py"))
    unused = [n for n in all_names() if n not in text and Path(n).name not in text]
    assert not unused, f"Cypher files no code loads: {unused}"
    assert CYPHER_DIR.is_dir()


def test_graph_imports_beside_a_platform_users_model() -> None:
    """The platform defines its own neomodel `Users`; importing our package next to it must not clash."""
    code = (
        "from neomodel import StructuredNode, StringProperty, UniqueIdProperty\n"
        "class Users(StructuredNode):\n"
        "    uid = UniqueIdProperty()\n"
        "    user_id = StringProperty(unique_index=True)\n"
        "import graph, graph.settings, graph.schema, graph.cypher, graph.connection\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
