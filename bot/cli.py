"""The `shopbot` command: serve, chat, db upgrade (and the sub-commands later areas add)."""

from __future__ import annotations

import asyncio

import typer

from bot.cli_keys import keys_app
from bot.cli_nlu import nlu_app
from bot.cli_staff import staff_app
from bot.cli_wechat import app as wechat_app
from bot.settings import Settings

app = typer.Typer(help="shopbot: a conversational shopping assistant.", no_args_is_help=True)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(wechat_app, name="wechat")
app.add_typer(staff_app, name="staff")
app.add_typer(nlu_app, name="nlu")
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    host: str = typer.Option(None, help="bind address (default: HOST)"),
    port: int = typer.Option(None, help="port (default: PORT)"),
    telegram_polling: bool = typer.Option(False, "--telegram-polling",
                                          help="fetch Telegram updates by long polling (local use)"),
) -> None:
    """Run the web server (web chat at /, console at /console, REST channel, webhooks)."""
    import uvicorn

    from bot.app import create_app
    from bot.observability import configure_logging

    settings = Settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    if telegram_polling:
        settings.telegram_polling = True
    configure_logging(settings.log_level, settings.log_format)
    # the port opens at once; the NLU model loads (or, the first time, trains) in the background
    uvicorn.run(create_app(settings, background_warmup=True), host=settings.host, port=settings.port, log_config=None,
                log_level=settings.log_level.lower())


@app.command()
def chat(sender: str = typer.Option("local", help="your sender id")) -> None:
    """Chat with the bot in this terminal (buttons are numbered: type the number)."""
    from bot.bootstrap import build_runtime
    from bot.channels.terminal import TerminalChat
    from bot.observability import configure_logging

    settings = Settings()
    configure_logging("WARNING", settings.log_format)

    async def main() -> None:
        runtime = build_runtime(settings)
        await runtime.start()
        try:
            typer.echo("shopbot — type a message, a number to press a button, /quit to leave.")
            await TerminalChat(runtime.handle, runtime.outbox, sender).run()
        finally:
            await runtime.stop()

    asyncio.run(main())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the server also does this at start)."""
    from bot import db

    settings = Settings()

    async def main() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            await db.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())
    typer.echo("database is up to date")


if __name__ == "__main__":
    app()
