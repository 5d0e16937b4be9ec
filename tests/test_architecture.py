"""The layer rules of docs/ARCHITECTURE, checked on the source itself (ast, nothing imported).

Imports run downward only: core · accounts → review · ai · integrations → domain apps →
analytics; no import cycle between apps; no app writes another app's tables with its own SQL.
`python -m scripts.app_imports --sql` prints the same data for people.
"""

from __future__ import annotations

import textwrap
import warnings
from itertools import pairwise
from pathlib import Path

from scripts.app_imports import (
    SAME_LAYER,
    app_graph,
    cycle_graph,
    django_owner,
    find_cycles,
    import_edges,
    sql_writes,
)

BOTTOM = {"core", "accounts"}
ENGINES = {"review", "ai", "integrations"}
DOMAIN = {"catalog", "orders", "pricing", "ads", "support", "logistics"}

# No known violations: every import runs down the layers and every app writes only its own
# tables (issue 8). Keep these empty; a violation is fixed, not allowlisted.
KNOWN_IMPORT_VIOLATIONS: set[tuple[str, str, str]] = set()
KNOWN_SQL_VIOLATIONS: set[tuple[str, str]] = set()


def _forbidden(source: str, target: str) -> str | None:
    """Why `source` may not import `target`, or None when the layers allow it."""
    if source in BOTTOM and target not in BOTTOM:
        return "core and accounts import no other app"
    if source in ENGINES and (target in DOMAIN or target == "analytics"):
        return "review, ai and integrations import no domain app nor analytics"
    if source in DOMAIN and target == "analytics":
        return "no domain app imports analytics (the read-only top layer)"
    return None


def _report_gone(kind: str, gone: set) -> None:
    if gone:
        message = f"{kind} allowlisted but no longer present (remove them): {sorted(gone)}"
        print(message)
        warnings.warn(message, stacklevel=2)


def test_imports_run_down_the_layers():
    edges = import_edges()
    bad = [e for e in edges if _forbidden(e.source, e.target)]
    new = [e for e in bad if (e.source, e.target, e.path) not in KNOWN_IMPORT_VIOLATIONS]
    assert not new, "Imports against the layers:\n" + "\n".join(
        f"  {e.path}:{e.line} ({e.source} → {e.target}) imports {e.module}: "
        f"{_forbidden(e.source, e.target)}"
        for e in new
    )
    _report_gone("Imports", KNOWN_IMPORT_VIOLATIONS - {(e.source, e.target, e.path) for e in bad})


def test_core_imports_no_domain_app_since_the_overview_lives_in_analytics():
    graph = app_graph(import_edges())
    assert graph.get("core", set()) <= {"accounts"}
    assert graph.get("accounts", set()) <= {"core"}


def test_no_import_cycle_between_apps():
    edges = [
        e for e in import_edges() if (e.source, e.target, e.path) not in KNOWN_IMPORT_VIOLATIONS
    ]
    cycles = find_cycles(cycle_graph(app_graph(edges)))
    lines = []
    for cycle in cycles:
        lines.append("  " + " → ".join(cycle))
        for a, b in pairwise(cycle):
            first = next(e for e in edges if (e.source, e.target) == (a, b))
            lines.append(f"    {a} → {b}: {first.path}:{first.line} imports {first.module}")
    assert not cycles, "Import cycles between apps:\n" + "\n".join(lines)


def test_no_app_writes_another_apps_tables_with_its_own_sql():
    writes = sql_writes(django_owner())
    new = [w for w in writes if (w.path, w.table) not in KNOWN_SQL_VIOLATIONS]
    assert not new, "SQL writing another app's tables (call that app's services instead):\n" + (
        "\n".join(f"  {w.path}:{w.line} {w.verb} {w.table} (owned by {w.owner})" for w in new)
    )
    _report_gone("SQL writes", KNOWN_SQL_VIOLATIONS - {(w.path, w.table) for w in writes})


# The checker itself, on a made-up project --------------------------------------------------------


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        path = tmp_path / "apps" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))
    for folder in {p.parent for p in (tmp_path / "apps").rglob("*.py")} | {tmp_path / "apps"}:
        (folder / "__init__.py").touch()
    return tmp_path


def test_the_checker_sees_relative_and_function_level_imports_and_reports_a_cycle(tmp_path):
    root = _project(
        tmp_path,
        {
            "shop/views.py": "from ..ai.services import go\n",
            "ai/services.py": "def go():\n    from apps.shop import models\n",
            "core/api.py": "from apps.accounts.models import Role\n",
            "accounts/models.py": "import apps.core.models\n",
        },
    )
    edges = import_edges(root / "apps", root)
    assert {(e.source, e.target) for e in edges} == {
        ("shop", "ai"),
        ("ai", "shop"),
        ("core", "accounts"),
        ("accounts", "core"),
    }
    function_level = next(e for e in edges if e.source == "ai")
    assert (function_level.path, function_level.line) == ("apps/ai/services.py", 2)
    assert find_cycles(cycle_graph(app_graph(edges))) == [["ai", "shop", "ai"]]
    assert SAME_LAYER == BOTTOM


def test_the_checker_finds_writes_to_another_apps_tables_however_the_table_is_named(tmp_path):
    root = _project(
        tmp_path,
        {
            "shop/sql.py": """
                from apps.review.models import Draft
                from .models import Order

                A = "INSERT INTO review_draft (id) VALUES (1)"
                B = "UPDATE {table} d SET status = 'x'"
                C = "UPDATE shop_order o SET total = 0 ... ON CONFLICT DO UPDATE SET x = 1"

                def run(cursor):
                    cursor.execute(B.format(table=Draft._meta.db_table))
                    cursor.execute(f"DELETE FROM {Draft._meta.db_table} WHERE id = 1")
                    table = Order._meta.db_table
                    cursor.execute(f"TRUNCATE {table}")
                    cursor.execute("COPY review_tmp (id) FROM STDIN")
                    cursor.execute("SELECT 1 FROM review_draft FOR UPDATE SKIP LOCKED")
            """,
        },
    )
    owners = {"review_draft": "review", "shop_order": "shop"}

    def owner(table: str) -> str | None:
        return owners.get(table) or ("review" if table.startswith("review_") else None)

    found = {(w.verb, w.table, w.owner) for w in sql_writes(owner, root / "apps", root)}
    assert found == {
        ("INSERT INTO", "review_draft", "review"),
        ("UPDATE", "{table}", "review"),
        ("DELETE FROM", "{@review}", "review"),
        ("COPY", "review_tmp", "review"),
    }
