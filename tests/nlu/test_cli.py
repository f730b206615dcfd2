"""`shopbot nlu train / evaluate / parse` through typer."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli_nlu import nlu_app

from .conftest import TEST_FILE, TRAIN_FILES


def test_train_evaluate_parse(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "m"
    args = ["train", "--out", str(out), "--sequential"]
    for f in TRAIN_FILES:
        args += ["--data", str(f)]
    res = runner.invoke(nlu_app, args)
    assert res.exit_code == 0, res.output
    assert "trained en, zh" in res.output

    report = tmp_path / "report.json"
    res = runner.invoke(nlu_app, ["evaluate", "--model", str(out), "--data", str(TEST_FILE), "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert "intent accuracy:" in res.output and "entity F1 on values:" in res.output
    data = json.loads(report.read_text())
    assert data["examples"] == 6 and "per_intent" in data["intent"]

    res = runner.invoke(nlu_app, ["parse", "第二个详细说说", "--model", str(out)])
    assert res.exit_code == 0, res.output
    parsed = json.loads(res.output)
    assert parsed["intent"]["name"] == "show_details"
    assert parsed["entities"][0]["value"] == 2


def test_invalid_data_exits_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu:\n- intent: greet\n  examples: |\n    - hi\n    oops\n", encoding="utf-8")
    res = CliRunner().invoke(nlu_app, ["train", "--data", str(bad), "--out", str(tmp_path / "m")])
    assert res.exit_code == 2
    assert f"{bad}:5" in res.output
