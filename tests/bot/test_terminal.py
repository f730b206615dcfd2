from __future__ import annotations

import asyncio

from bot.channels.terminal import TerminalChat
from dialogue.messages import Button, IncomingMessage, Reply
from tracking.outbox import InMemoryOutbox


async def test_buttons_are_numbered_and_a_number_sends_the_payload():
    seen: list[str] = []

    async def handle(msg: IncomingMessage) -> list[Reply]:
        seen.append(msg.text)
        return [Reply(text="选一个", buttons=(Button("第一个", '/show_details{"ordinal": 1}'),
                                              Button("第二个", '/show_details{"ordinal": 2}')))]

    lines: list[str] = []
    inputs = iter(["手机", "2", "7", None])

    async def read() -> str | None:
        return next(inputs)

    await TerminalChat(handle, InMemoryOutbox(), write=lines.append, read=read).run()
    assert lines[-3:] == ["回复数字即可选择:", "1. 第一个", "2. 第二个"]  # as WeChat numbers them
    assert seen == ["手机", '/show_details{"ordinal": 2}', "7"]


async def test_pushed_messages_are_printed_as_they_arrive():
    outbox = InMemoryOutbox()
    lines: list[str] = []
    printed = asyncio.Event()
    gate = asyncio.Event()

    def write(line: str) -> None:
        lines.append(line)
        if "已签收" in line:
            printed.set()

    async def read() -> str | None:
        await gate.wait()
        return None

    async def handle(msg: IncomingMessage) -> list[Reply]:
        return []

    chat = asyncio.create_task(TerminalChat(handle, outbox, "me", write=write, read=read).run())
    await outbox.put("terminal:me", [{"recipient_id": "me", "text": "您的包裹已签收", "image": "http://x/c.png"}])
    await asyncio.wait_for(printed.wait(), 5)
    gate.set()
    await chat
    assert lines == ["您的包裹已签收", "[image] http://x/c.png"]
