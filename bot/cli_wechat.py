"""`shopbot wechat …`: WeChat Official Account set-up commands (mounted by bot/cli.py).

    shopbot wechat menu                 # install the default menu
    shopbot wechat menu --file menu.json --dry-run
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.channels.wechat import WeChatConfig
from bot.channels.wechat_api import DEFAULT_MENU, WeChatApi, WeChatApiError, setup_menu

app = typer.Typer(help="WeChat Official Account commands.", no_args_is_help=True)


@app.callback()
def wechat() -> None:
    """WeChat Official Account commands."""


def _load_menu(file: Path | None) -> list[dict[str, Any]]:
    if file is None:
        return DEFAULT_MENU
    data = json.loads(file.read_text(encoding="utf-8"))
    buttons = data.get("button") if isinstance(data, dict) else data
    if not isinstance(buttons, list):
        raise typer.BadParameter("the menu file holds a list of buttons or {\"button\": [...]}")
    return buttons


def _config() -> WeChatConfig | None:
    from bot.settings import Settings

    return WeChatConfig.from_settings(Settings())


@app.command("menu")
def menu(
    file: Annotated[Path | None, typer.Option(help="JSON menu ({\"button\": [...]}); default: built-in")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the menu, do not install it")] = False,
) -> None:
    """Install the account's custom menu through /cgi-bin/menu/create (click keys are intents)."""
    buttons = _load_menu(file)
    if dry_run:
        typer.echo(json.dumps({"button": buttons}, ensure_ascii=False, indent=2))
        return
    config = _config()
    if config is None or not config.app_id or not config.app_secret:
        typer.echo("WECHAT_TOKEN, WECHAT_APP_ID and WECHAT_APP_SECRET must be set.", err=True)
        raise typer.Exit(2)

    async def run() -> None:
        api = WeChatApi(config.app_id, config.app_secret, config.api_base_url)
        try:
            await setup_menu(api, buttons)
        finally:
            await api.close()

    try:
        asyncio.run(run())
    except WeChatApiError as exc:
        typer.echo(f"menu not installed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"menu installed ({len(buttons)} top-level buttons).")
