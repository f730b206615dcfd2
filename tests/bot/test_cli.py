from __future__ import annotations

import subprocess
import sys

import sqlalchemy


def test_db_upgrade_creates_the_schema(tmp_path):
    path = tmp_path / "cli.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{path}", "PATH": ""}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=False,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "up to date" in out.stdout
    tables = sqlalchemy.inspect(sqlalchemy.create_engine(f"sqlite:///{path}")).get_table_names()
    assert {"tracker_events", "shoppers", "shopper_identities", "alembic_version"} <= set(tables)


def test_chat_talks_and_quits(tmp_path, nlu_model_dir):
    # the suite's trained model and small catalog: the test is about the terminal chat, not a first start
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "PATH": "", "NLU_MODEL_DIR": str(nlu_model_dir),
           "VAR_DIR": str(tmp_path / "var"), "DEMO_CATALOG": "demo"}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input="hello\n/quit\n", env=env, check=False,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "shopbot" in out.stdout.lower()
