"""Imports point inward only (../shared/DESIGN.md): a wrong arrow fails here.

Also: shop/ imports the standard library only (a tokenizer or matcher it needs comes in
through a port); dialogue/ imports no vendor of the edge (web framework, database, channel
and payment SDKs); and no module of ours imports itself through a circle (imports for type
checking only, under `if TYPE_CHECKING:`, do not count: they never run).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "dialogue", "nlu", "shop", "integrations", "tracking")
ALLOWED = {
    "bot": set(PACKAGES),
    "dialogue": {"dialogue", "nlu", "shop", "tracking"},
    "nlu": {"nlu"},
    "shop": {"shop"},
    "integrations": {"integrations", "shop"},
    "tracking": {"tracking"},
}
VENDORS = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "asyncpg", "aiosqlite", "alembic", "redis", "telegram",
           "wechatpy", "httpx", "requests", "aiohttp", "alipay", "wechatpayv3", "cryptography", "apscheduler")


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module name an import statement names (relative ones made absolute), skipping
    `if TYPE_CHECKING:` blocks; `from a import b` yields both `a` and `a.b`."""
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        yield from _imports(node, module, is_package)


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Top-level names (packages, vendors) the file imports."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {name.split(".")[0] for name in _imports(tree, module, path.name == "__init__.py") if name}


def violations(root: Path = ROOT) -> list[str]:
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for target in sorted((imports_of(path, root) & set(PACKAGES)) - ALLOWED[package]):
                out.append(f"{path.relative_to(root)} imports {target}")
    return out


def foreign_imports(root: Path = ROOT) -> list[str]:
    """shop/ importing anything but the standard library; dialogue/ importing a vendor."""
    out = []
    for path in sorted((root / "shop").rglob("*.py")):
        for name in sorted(imports_of(path, root) - set(sys.stdlib_module_names) - {"shop", "__future__"}):
            out.append(f"{path.relative_to(root)} imports {name}")
    for path in sorted((root / "dialogue").rglob("*.py")):
        for name in sorted(imports_of(path, root) & set(VENDORS)):
            out.append(f"{path.relative_to(root)} imports {name}")
    return out


def import_cycles(root: Path = ROOT) -> list[list[str]]:
    """Groups of our modules that import each other in a circle (strongly connected components)."""
    modules = _modules(root)

    def ours(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {ours(name) for name in _imports(tree, module, path.name == "__init__.py")}
        graph[module] = {t for t in targets if t is not None and t != module}

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def test_imports_point_inward():
    assert violations() == []


def test_shop_uses_the_standard_library_only_and_dialogue_no_vendor():
    assert foreign_imports() == []


def test_no_import_circle_among_our_modules():
    assert import_cycles() == []


def _tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    return tmp_path


def test_the_check_catches_a_wrong_arrow(tmp_path):
    root = _tree(tmp_path)
    (root / "shop" / "bad.py").write_text("from bot.settings import Settings\n")
    (root / "dialogue" / "bad.py").write_text("import integrations.db.base\n")
    (root / "nlu" / "fine.py").write_text("from nlu.types import Parser\nimport spacy\n")
    assert violations(root) == ["dialogue/bad.py imports integrations", "shop/bad.py imports bot"]


def test_the_checks_catch_a_vendor_and_a_circle(tmp_path):
    root = _tree(tmp_path)
    (root / "shop" / "words.py").write_text("import re\n\ndef cut(text):\n    import jieba\n    return jieba.lcut(text)\n")
    (root / "dialogue" / "web.py").write_text("from fastapi import APIRouter\nimport yaml\n")
    (root / "bot" / "app.py").write_text("from bot.wiring import build\n")
    (root / "bot" / "wiring.py").write_text("from bot.console import setup\n")
    (root / "bot" / "console").mkdir()
    (root / "bot" / "console" / "__init__.py").write_text("")
    (root / "bot" / "console" / "setup.py").write_text("def make():\n    from bot.app import create\n")
    (root / "dialogue" / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from dialogue import b\n")
    (root / "dialogue" / "b.py").write_text("from . import a\n")
    assert foreign_imports(root) == ["shop/words.py imports jieba", "dialogue/web.py imports fastapi"]
    assert import_cycles(root) == [["bot.app", "bot.console.setup", "bot.wiring"]]
