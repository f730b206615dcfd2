"""`shopbot staff`: create and list support-console staff accounts."""

from __future__ import annotations

import asyncio
import sys

import typer

from bot.settings import Settings

TEAM_OPTION = typer.Option(None, "--team", help="pre_sales or after_sales (repeat for both)")
staff_app = typer.Typer(help="Support console staff accounts.", no_args_is_help=True)


@staff_app.command("add")
def add(
    username: str = typer.Argument(..., help="login name (a-z, 0-9, _ . -)"),
    role: str = typer.Option("agent", help="agent, supervisor or merchant_reviewer"),
    display_name: str = typer.Option(None, help="name shown to shoppers (default: the username)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
    team: list[str] | None = TEAM_OPTION,
) -> None:
    """Create a staff account (the password is prompted for, or read from stdin), in its teams."""
    from bot import db
    from bot.console.auth import AuthError, check_teams, create_staff
    from integrations.db.console_repo import SQLStaffRepository
    from shop.clock import SystemClock
    from shop.handoff import Role, StaffExists

    if role not in {r.value for r in Role}:
        raise typer.BadParameter("role must be agent, supervisor or merchant_reviewer", param_hint="--role")
    try:
        teams = check_teams(team or [])
    except AuthError as exc:
        raise typer.BadParameter(str(exc), param_hint="--team") from exc
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    settings = Settings()

    async def main() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            await db.upgrade(engine)
            await create_staff(SQLStaffRepository(engine), SystemClock(), username, role, password, display_name,
                               teams=teams)
        finally:
            await engine.dispose()

    try:
        asyncio.run(main())
    except (AuthError, StaffExists) as exc:
        typer.echo("error: username taken" if isinstance(exc, StaffExists) else f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"staff {username.strip().lower()} ({role}{''.join(', ' + t for t in teams)}) created")


@staff_app.command("list")
def list_staff() -> None:
    """List staff accounts and roles."""
    from bot import db
    from integrations.db.console_repo import SQLStaffRepository

    settings = Settings()

    async def main() -> list[tuple[str, str, str, str]]:
        engine = db.create_engine(settings.database_url)
        try:
            await db.upgrade(engine)
            repo = SQLStaffRepository(engine)
            return [(m.username, m.role.value, m.display_name, ",".join(await repo.teams_of(m.username)))
                    for m in await repo.list()]
        finally:
            await engine.dispose()

    for username, role, name, teams in asyncio.run(main()):
        typer.echo(f"{username}\t{role}\t{name}\t{teams}")
