"""`shopbot wechat menu` against a local WeChat API server."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot import cli_wechat
from bot.channels.wechat import WeChatConfig
from bot.channels.wechat_api import DEFAULT_MENU
from tests.bot.channels.servers import ThreadServer
from tests.bot.channels.wechat_stub import APP_ID, APP_SECRET, WeChatApiStub


def test_menu_command_installs_the_menu_from_a_file(tmp_path, monkeypatch) -> None:
    stub = WeChatApiStub()
    menu = [{"type": "click", "name": "我的订单", "key": "/check_order"}]
    path = tmp_path / "menu.json"
    path.write_text(json.dumps({"button": menu}, ensure_ascii=False), encoding="utf-8")
    with ThreadServer(stub.app()) as server:
        monkeypatch.setattr(cli_wechat, "_config", lambda: WeChatConfig("t", APP_ID, APP_SECRET, None, server.url))
        result = CliRunner().invoke(cli_wechat.app, ["menu", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert stub.menus == [{"button": menu}]


def test_menu_command_dry_run_and_missing_settings(monkeypatch) -> None:
    dry = CliRunner().invoke(cli_wechat.app, ["menu", "--dry-run"])
    assert dry.exit_code == 0 and json.loads(dry.output) == {"button": DEFAULT_MENU}
    monkeypatch.setattr(cli_wechat, "_config", lambda: None)
    off = CliRunner().invoke(cli_wechat.app, ["menu"])
    assert off.exit_code == 2
