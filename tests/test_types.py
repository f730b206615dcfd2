"""The domain and the conversation are typed end to end: `mypy --strict` on shop/ and dialogue/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_shop_and_dialogue_pass_mypy_strict():
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "shop", "dialogue"], check=False, cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
