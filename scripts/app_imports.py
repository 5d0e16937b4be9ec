"""Which app imports which, import cycles between apps, and SQL that writes another app's tables.

Reads every `.py` under `apps/` with `ast` (module-level and function-level imports alike, since
a lazy import inside a function is still a dependency), so nothing is imported or executed.
`tests/test_architecture.py` checks the layer rules on the same data; this prints it for
people (the closing note of an issue quotes it):

    .venv/bin/python -m scripts.app_imports           # the app graph and any cycle
    .venv/bin/python -m scripts.app_imports --sql     # plus cross-app SQL writes (loads Django)
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS_DIR = ROOT / "apps"


@dataclass(frozen=True)
class ImportEdge:
    source: str  # app label of the importing file
    target: str  # app label imported
    path: str  # file, relative to the repository
    line: int
    module: str  # the imported module, absolute


@dataclass(frozen=True)
class SqlWrite:
    app: str  # app of the file holding the SQL
    table: str
    owner: str  # app owning the table
    path: str
    line: int
    verb: str  # INSERT INTO, UPDATE, DELETE FROM, COPY, TRUNCATE


def python_files(apps_dir: Path = APPS_DIR) -> list[Path]:
    return sorted(p for p in apps_dir.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_of(module: str) -> str | None:
    """`apps.catalog.rules.api` → `catalog`; anything outside `apps.` → None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "apps" else None


def _absolute(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    drop = node.level - 1 if is_package else node.level
    base = base[: len(base) - drop] if drop else base
    return ".".join([*base, node.module] if node.module else base)


def imported_modules(tree: ast.AST, current: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Every module an `import` / `from … import` names, anywhere in the file (absolute)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, current, is_package)
            yield base, node.lineno
            for alias in node.names:  # `from apps import catalog` names a module too
                if base == "apps":
                    yield f"apps.{alias.name}", node.lineno


def import_edges(apps_dir: Path = APPS_DIR, root: Path = ROOT) -> list[ImportEdge]:
    """Edges between different apps, one per import statement."""
    edges = []
    for path in python_files(apps_dir):
        current = module_name(path, root)
        source = app_of(current)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module, line in imported_modules(tree, current, path.name == "__init__.py"):
            target = app_of(module)
            if source and target and target != source:
                rel = str(path.relative_to(root))
                edges.append(ImportEdge(source, target, rel, line, module))
    return edges


# `core` and `accounts` are one layer (ARCHITECTURE.md: "accounts · core"): core's tenancy and
# API base classes need Organization/Role/ApiKey, accounts' models build on core's. Their mutual
# imports are not an app cycle; any other app that closes a loop through them is.
SAME_LAYER = frozenset({"core", "accounts"})


def app_graph(edges: list[ImportEdge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        graph[edge.source].add(edge.target)
    return dict(graph)


def cycle_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph the cycle rule applies to: without the edges inside the bottom layer."""
    return {
        app: {t for t in targets if not {app, t} <= SAME_LAYER} for app, targets in graph.items()
    }


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles as closed paths (`[a, b, a]`): for every app caught in a strongly connected
    group, the shortest cycle through it (duplicates of one loop reported once)."""
    cycles: list[list[str]] = []
    seen: set[frozenset[tuple[str, str]]] = set()
    for group in _strongly_connected(graph):
        for start in group:
            cycle = _cycle_in(start, group, graph)
            key = frozenset(pairwise(cycle))
            if key not in seen:
                seen.add(key)
                cycles.append(cycle)
    return cycles


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of two or more apps that all reach each other (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # a few dozen apps: recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _cycle_in(start: str, group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest closed path from `start` back to itself within its group (breadth-first)."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*paths[node], start]
            if nxt in group and nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    return [*group, start]


# SQL writes -------------------------------------------------------------------------------------

_TABLE = r'"?(?P<table>\{@?\w+\}|\w+)"?'
WRITE_STATEMENTS = [
    ("INSERT INTO", re.compile(rf"\bINSERT\s+INTO\s+{_TABLE}")),
    ("UPDATE", re.compile(rf"\bUPDATE\s+(?:ONLY\s+)?{_TABLE}(?:\s+(?:AS\s+)?\w+)?\s+SET\b")),
    ("DELETE FROM", re.compile(rf"\bDELETE\s+FROM\s+(?:ONLY\s+)?{_TABLE}")),
    ("COPY", re.compile(rf"\bCOPY\s+{_TABLE}\s*(?:\([^)]*\))?\s*FROM\b")),
    ("TRUNCATE", re.compile(rf"\bTRUNCATE\s+(?:TABLE\s+)?{_TABLE}")),
]
_DB_TABLE_MARK = "{@"  # a table named through Model._meta.db_table, resolved to `{@app}`


class _SqlFile:
    """One file's string literals, with `Model._meta.db_table` placeholders resolved to apps."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.module = module_name(path, root)
        self.app = app_of(self.module) or ""
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.names = self._imported_names()
        self.table_vars: dict[str, str] = {}
        self.table_vars = self._table_variables()
        self.formats = self._format_calls()

    def _imported_names(self) -> dict[str, str]:
        names = {}
        is_package = self.path.name == "__init__.py"
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):
                base = _absolute(node, self.module, is_package)
                for alias in node.names:
                    names[alias.asname or alias.name] = base
        return names

    def model_app(self, node: ast.AST) -> str | None:
        """The app of `Model._meta.db_table` (or of a variable assigned from one)."""
        if isinstance(node, ast.Name):
            return self.table_vars.get(node.id)
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "db_table"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "_meta"
            and isinstance(node.value.value, ast.Name)
        ):
            model = node.value.value.id
            return app_of(self.names[model]) if model in self.names else self.app
        return None

    def _table_variables(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and (app := self.model_app(node.value)):
                    found[target.id] = app
        return found

    def _format_calls(self) -> dict[str, dict[str, str]]:
        """`SQL.format(table=Model._meta.db_table)` → {"SQL": {"table": app}}."""
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for node in ast.walk(self.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and isinstance(node.func.value, ast.Name)
            ):
                for kw in node.keywords:
                    if kw.arg and (app := self.model_app(kw.value)):
                        found[node.func.value.id][kw.arg] = app
        return found

    def strings(self) -> Iterator[tuple[str, int, dict[str, str]]]:
        """(text, line, placeholder → app) for every string literal and f-string."""
        assigned: dict[int, str] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[-1], ast.Name):
                assigned[id(node.value)] = node.targets[-1].id
        for node in ast.walk(self.tree):
            if isinstance(node, ast.JoinedStr):
                yield self._render_fstring(node), node.lineno, {}
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                placeholders = self.formats.get(assigned.get(id(node), ""), {})
                yield node.value, node.lineno, placeholders

    def _render_fstring(self, node: ast.JoinedStr) -> str:
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                app = self.model_app(value.value)
                parts.append(f"{_DB_TABLE_MARK}{app}}}" if app else "{expr}")
        return "".join(parts)


def sql_writes(
    table_owner: Callable[[str], str | None], apps_dir: Path = APPS_DIR, root: Path = ROOT
) -> list[SqlWrite]:
    """Every write statement in a string literal whose table belongs to another app.

    `table_owner` maps a table name to its app label (Django's registry, see `django_owner`).
    A `{placeholder}` counts when the file fills it with some `Model._meta.db_table`.
    """
    found = []
    for path in python_files(apps_dir):
        if "migrations" in path.parts:
            continue  # migrations are the owning app's own
        sql_file = _SqlFile(path, root)
        for text, line, placeholders in sql_file.strings():
            for verb, pattern in WRITE_STATEMENTS:
                for match in pattern.finditer(text):
                    table = match["table"]
                    owner = _owner_of(table, placeholders, table_owner)
                    if owner and owner != sql_file.app:
                        rel = str(path.relative_to(root))
                        found.append(SqlWrite(sql_file.app, table, owner, rel, line, verb))
    return found


def _owner_of(table: str, placeholders: dict[str, str], table_owner) -> str | None:
    if table.startswith(_DB_TABLE_MARK):
        return table[len(_DB_TABLE_MARK) : -1]
    if table.startswith("{"):
        return placeholders.get(table[1:-1])
    return table_owner(table)


def django_owner() -> Callable[[str], str | None]:
    """Table → app label through Django's app registry; other tables by their `<label>_`
    prefix (temporary tables such as `pricing_tmp_changes`)."""
    from django.apps import apps

    by_table = {m._meta.db_table: m._meta.app_label for m in apps.get_models()}
    labels = sorted((c.label for c in apps.get_app_configs()), key=len, reverse=True)

    def owner(table: str) -> str | None:
        if table in by_table:
            return by_table[table]
        return next((label for label in labels if table.startswith(f"{label}_")), None)

    return owner


def main(argv: list[str]) -> int:
    edges = import_edges()
    graph = app_graph(edges)
    print("App imports (app → the apps it imports, module- and function-level):")
    for app in sorted(set(graph) | {app_of(module_name(p)) or "" for p in python_files()} - {""}):
        print(f"  {app:<13} → {', '.join(sorted(graph.get(app, ()))) or '—'}")
    cycles = find_cycles(cycle_graph(graph))
    print("Import cycles between apps:", "none" if not cycles else "")
    for cycle in cycles:
        print("  " + " → ".join(cycle))
        for a, b in pairwise(cycle):
            first = next(e for e in edges if (e.source, e.target) == (a, b))
            print(f"    {a} → {b}: {first.path}:{first.line} imports {first.module}")
    if "--sql" in argv:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings.typecheck")
        django.setup()
        writes = sql_writes(django_owner())
        print("SQL writing another app's tables:", "none" if not writes else "")
        for w in writes:
            print(f"  {w.app} writes {w.table} ({w.owner}): {w.verb} at {w.path}:{w.line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
