"""The layers of docs/architecture.md hold: the import contract in pyproject.toml is kept (and would catch a
wrong-way import), and no two modules of src/ import each other, directly or round a longer loop."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package found in ``src`` with the contract of pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}
    return subprocess.run([str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--no-cache"],
                          capture_output=True, text=True, env=env, cwd=src, timeout=300)


def test_the_import_contract_is_kept() -> None:
    result = _lint(SRC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "wrong_way"), [
    ("domain/model.py", "import epizone.engine.run"),
    ("store/db.py", "from epizone.services import assess"),
    ("web/palette.py", "import epizone.api.app"),
])
def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path, module: str, wrong_way: str) -> None:
    copy = tmp_path / "src"
    shutil.copytree(SRC / "epizone", copy / "epizone", ignore=shutil.ignore_patterns("__pycache__", "data", "*.js"))
    target = copy / "epizone" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{wrong_way}  # a deliberate wrong-way import\n",
                      encoding="utf-8")
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 1 broken" in result.stdout
    lower = "epizone." + module.split("/")[0]
    assert f"{lower} is not allowed to import" in result.stdout


def module_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> the epizone modules it imports at module level (imports inside functions run late, and are
    how a layer loads an optional one on use; they do not make a module-level cycle)."""
    modules = {_name(path, src): path for path in (src / "epizone").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found: set[str] = set()
        for node in _module_level(tree.body):
            for target in _targets(node, name, path.name == "__init__.py"):
                while target and target not in modules:  # `from a.b import c`: a.b.c if a module, else a.b
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def _name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level(body: list[ast.stmt]):  # noqa: ANN202
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in (getattr(node, "body", []), getattr(node, "orelse", []), getattr(node, "finalbody", []),
                          *(h.body for h in getattr(node, "handlers", []))):
                yield from _module_level(block)


def _targets(node: ast.Import | ast.ImportFrom, module: str, package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("epizone")]
    base = node.module or ""
    if node.level:
        anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if package else 0)]
        base = ".".join(anchor + ([base] if base else []))
    if not base.startswith("epizone"):
        return []
    return [f"{base}.{alias.name}" for alias in node.names]


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_level_import_cycle() -> None:
    graph = module_graph()
    assert len(graph) > 50 and "epizone.engine.run" in graph["epizone.services.assess"]
    assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_a_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
