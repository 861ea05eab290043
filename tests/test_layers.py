"""The package's shape (issue 21): no import cycle, Project used only from above, no SQL outside the store.

The import graph is read from the source with ``ast``, so it counts every import: at the top of a module, inside
a function, and under ``if TYPE_CHECKING`` (each is a dependency a reader has to follow). An import of
``package.module`` is an edge to that module; ``from package import name`` is an edge to ``package.name`` when
that is a module, else to the package. (``make lint`` runs import-linter's contracts from ``pyproject.toml``
over the same graph.)
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "asymmetry_qda"
#: the layers above Project: they may use it (the package root re-exports it; so do the modules of cli/)
ABOVE_PROJECT = {"asymmetry_qda", "asymmetry_qda.__main__", "asymmetry_qda.cli", "asymmetry_qda.reproduce"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def import_graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin
                           for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph.add_edge(name, target, line=node.lineno)
    return graph


def test_the_graph_sees_function_local_and_type_checking_imports():
    graph = import_graph()
    # review.py reads the latest codebook's type under TYPE_CHECKING; Project's parts import services in functions
    assert graph.has_edge("asymmetry_qda.review", "asymmetry_qda.codebook.model")
    assert graph.has_edge("asymmetry_qda.project._anonymisation", "asymmetry_qda.anonymise.guard")
    assert graph.number_of_nodes() > 90


def test_no_import_cycle():
    graph = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == [], "import cycles: " + "; ".join(
        " -> ".join(nx.find_cycle(graph.subgraph(c))[0][:1] + tuple(e[1] for e in nx.find_cycle(graph.subgraph(c))))
        for c in cycles)


def _project_modules(graph: nx.DiGraph) -> set[str]:
    """``asymmetry_qda.project`` and the private modules of its parts (``asymmetry_qda.project._coding``...)."""
    return {m for m in graph if m == "asymmetry_qda.project" or m.startswith("asymmetry_qda.project.")}


def test_only_the_layers_above_project_import_it():
    graph = import_graph()
    project = _project_modules(graph)
    users = {m for part in project for m in graph.predecessors(part)
             if m not in project and not m.startswith("asymmetry_qda.cli.")}
    assert users <= ABOVE_PROJECT, f"modules below Project import it: {sorted(users - ABOVE_PROJECT)}"


def test_project_is_a_shell_of_delegations():
    """Project's methods call services and the store; none of its bodies is longer than a delegation needs."""
    longest = {}
    for path in (PACKAGE / "project").glob("*.py"):
        classes = [n for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, ast.ClassDef)]
        for node in (m for c in classes for m in c.body):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                longest[f"{path.name}:{node.name}"] = sum(
                    (stmt.end_lineno or stmt.lineno) - stmt.lineno + 1 for stmt in body)
    assert len(longest) > 50
    too_long = {name: n for name, n in longest.items() if n > 12}
    assert too_long == {}, f"methods of Project doing work a service should do: {too_long}"


def _code_without_strings(path: Path) -> str:
    """The module's source with every string and comment blanked (docstrings and messages may say SELECT)."""
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT):
            kept.append(token.string)
    return " ".join(kept)


def _sql_strings(path: Path) -> list[str]:
    statements = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA)\b")
    return [token.string for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
            if token.type == tokenize.STRING and statements.search(token.string)
            and not token.string.lstrip("rbuRBU").startswith(('"""', "'''"))]


#: Modules outside the store that still run SQL themselves (issue 21 moves it into asymmetry_qda/store/): each is an
#: expected failure, strict, so a module whose SQL has moved must leave this list.
STILL_RUNS_SQL: set[str] = set()


def _outside_the_store() -> list[str]:
    return sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                  if path.relative_to(PACKAGE).parts[0] != "store")


@pytest.mark.parametrize("module", [
    pytest.param(m, marks=pytest.mark.xfail(strict=True, reason="its SQL is still to move into the store"))
    if m in STILL_RUNS_SQL else m for m in _outside_the_store()])
def test_no_sql_outside_the_store_in(module):
    path = PACKAGE / module
    assert _sql_strings(path) == [], f"{module} runs SQL itself: move it into asymmetry_qda/store/"
    assert ".execute(" not in _code_without_strings(path).replace(" ", "")


def test_the_list_of_modules_that_still_run_sql_names_modules():
    assert STILL_RUNS_SQL <= set(_outside_the_store())


def test_the_sql_check_finds_sql():
    assert _sql_strings(PACKAGE / "store" / "codings.py")


#: The most lines a module of the package may have (issue 21: a module holds one idea).
MAX_LINES = 500
#: Modules still over MAX_LINES, each to be split by the ideas it holds: strict expected failures, so a module
#: brought under the limit must leave this list.
STILL_TOO_LONG: set[str] = set()


def _module_files() -> list[str]:
    return sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module", [
    pytest.param(m, marks=pytest.mark.xfail(strict=True, reason="still to split")) if m in STILL_TOO_LONG else m
    for m in _module_files()])
def test_no_module_is_over_the_line_limit(module):
    lines = len((PACKAGE / module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by the ideas it holds"


def test_the_list_of_modules_still_too_long_names_modules():
    assert STILL_TOO_LONG <= set(_module_files())
