"""The structure of the package, read from its imports (every import statement, at module level
or inside a function; those under ``if TYPE_CHECKING:`` are annotations and do not count).

- No two modules import each other, directly or around a loop.
- The result model (``result``, ``models``, ``verdicts``) never reaches the scan
  (``pipeline``, ``api``): a caller can judge or report findings without running a scan.
- A reporter reads the result model and nothing of the engine.
- A carrier reads files through the format readers and builds the value-flow graph through
  flow's graph-building API, nothing else; languages and carriers never import each other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ftscan"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _imported(module: str) -> Iterator[str]:
    """The ftscan modules ``module`` imports, as run time sees them."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or _under_type_checking(node,
                                                                                     parents):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module and name.startswith("ftscan"):
                yield name


GRAPH = {module: set(_imported(module)) for module in MODULES}


def _reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for name in GRAPH[todo.pop()] - seen:
            seen.add(name)
            todo.append(name)
    return seen


def test_no_module_imports_itself_around_a_loop() -> None:
    loops = sorted(m for m in MODULES if m in _reachable(m)
                   and m != "ftscan")  # the package's face hands names on
    assert loops == []


@pytest.mark.parametrize("model", ["ftscan.result", "ftscan.models", "ftscan.verdicts"])
def test_the_result_model_never_reaches_the_scan(model: str) -> None:
    reached = _reachable(model)
    assert not {m for m in reached if m == "ftscan.api" or m.startswith("ftscan.pipeline")}


REPORTER_MAY_IMPORT = {"ftscan", "ftscan.result", "ftscan.models", "ftscan.verdicts",
                       "ftscan.escape", "ftscan.inventory", "ftscan.reconcile.model"}
"""What a reporter may import besides other reporters: the result model and the one escaping
module; and, for the inventory's formats, the inventory model (rows built from a scan result)
and what a reconciliation adds to it (the provider's side of each row). Nothing else: no rule
catalogue, no pipeline, no provider client."""


@pytest.mark.parametrize("reporter", sorted(m for m in MODULES
                                            if m.startswith("ftscan.reporters")))
def test_reporters_read_the_result_model_only(reporter: str) -> None:
    outside = {m for m in GRAPH[reporter] if not m.startswith("ftscan.reporters")}
    assert outside <= REPORTER_MAY_IMPORT, outside - REPORTER_MAY_IMPORT


CARRIER_MAY_IMPORT = {"ftscan.bindings", "ftscan.models", "ftscan.comments", "ftscan.textpos",
                      "ftscan.lazy", "ftscan.flow.build", "ftscan.flow.graph", "ftscan.flow.facts",
                      "ftscan.flow.deploy", "ftscan.flow.names"}
"""What a carrier may import besides other carriers and the format readers
(``ftscan.parsers``): the typed names and detections it binds, and the graph it links them
into."""


@pytest.mark.parametrize("carrier", sorted(m for m in MODULES
                                           if m.startswith("ftscan.carriers")))
def test_carriers_use_the_format_readers_and_the_graph_only(carrier: str) -> None:
    outside = {m for m in GRAPH[carrier]
               if not m.startswith(("ftscan.carriers", "ftscan.parsers"))}
    assert outside <= CARRIER_MAY_IMPORT, outside - CARRIER_MAY_IMPORT


def test_languages_and_carriers_never_import_each_other() -> None:
    def family(module: str) -> str:
        return module.split(".")[1] if "." in module else ""

    crossing = {(m, i) for m in MODULES for i in GRAPH[m]
                if {family(m), family(i)} == {"languages", "carriers"}}
    assert crossing == set()


def test_the_graph_is_read() -> None:
    """The reading above finds real imports (a broken reader would pass every test)."""
    assert "ftscan.verdicts" in GRAPH["ftscan.pipeline.repository"]
    assert "ftscan.pipeline.sweep" in GRAPH["ftscan.api"]  # imported inside scan()
    assert "ftscan.result" not in GRAPH["ftscan.cache.kept"]  # under TYPE_CHECKING only
    assert "ftscan.flow.build" in GRAPH["ftscan.carriers.helm"]
