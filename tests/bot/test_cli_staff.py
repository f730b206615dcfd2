"""`shopbot staff add / list`: accounts created from the command line can log in to the console."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner

from bot import db
from bot.cli_staff import staff_app
from bot.console.auth import verify_password
from integrations.db.console_repo import SQLStaffRepository


def stored(url: str, username: str):
    async def main():
        engine = db.create_engine(url)
        try:
            return await SQLStaffRepository(engine).get(username)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def test_staff_add_and_list(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    runner = CliRunner()
    added = runner.invoke(staff_app, ["add", "Sue", "--role", "supervisor", "--password-stdin"],
                          input="a long secret 42\n")
    assert added.exit_code == 0, added.output
    member = stored(sqlite_url, "sue")
    assert member.role.value == "supervisor" and verify_password(member.password_hash, "a long secret 42")
    prompted = runner.invoke(staff_app, ["add", "li.lei"], input="another secret\nanother secret\n")
    assert prompted.exit_code == 0, prompted.output
    assert stored(sqlite_url, "li.lei").role.value == "agent"

    again = runner.invoke(staff_app, ["add", "sue", "--password-stdin"], input="whatever123\n")
    assert again.exit_code == 1 and "taken" in again.output
    short = runner.invoke(staff_app, ["add", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "8 characters" in short.output
    bad_role = runner.invoke(staff_app, ["add", "bob", "--role", "admin", "--password-stdin"], input="x" * 10)
    assert bad_role.exit_code != 0

    listed = runner.invoke(staff_app, ["list"])
    assert listed.exit_code == 0
    assert [line.split("\t")[:2] for line in listed.output.splitlines()] == [["li.lei", "agent"], ["sue", "supervisor"]]


def test_staff_add_with_teams(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    runner = CliRunner()
    added = runner.invoke(staff_app, ["add", "kai", "--team", "after_sales", "--team", "pre_sales", "--password-stdin"],
                          input="a long secret 42\n")
    assert added.exit_code == 0, added.output
    assert "(agent, after_sales, pre_sales) created" in added.output
    wrong = runner.invoke(staff_app, ["add", "lee", "--team", "logistics", "--password-stdin"], input="a long secret 42\n")
    assert wrong.exit_code != 0 and "pre_sales or after_sales" in wrong.output
    listed = runner.invoke(staff_app, ["list"])
    assert listed.output.splitlines() == ["kai\tagent\tkai\tafter_sales,pre_sales"]
