"""Imports point inward only (../shared/DESIGN.md): a wrong arrow fails here."""

from __future__ import annotations

import ast
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


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def violations(root: Path = ROOT) -> list[str]:
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for target in sorted(imports_of(path) - ALLOWED[package]):
                out.append(f"{path.relative_to(root)} imports {target}")
    return out


def test_imports_point_inward():
    assert violations() == []


def test_the_check_catches_a_wrong_arrow(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "shop" / "bad.py").write_text("from bot.settings import Settings\n")
    (tmp_path / "dialogue" / "bad.py").write_text("import integrations.db.base\n")
    (tmp_path / "nlu" / "fine.py").write_text("from nlu.types import Parser\nimport spacy\n")
    assert violations(tmp_path) == ["dialogue/bad.py imports integrations", "shop/bad.py imports bot"]
