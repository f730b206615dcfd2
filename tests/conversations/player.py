"""Plays a scripted shopper conversation (a YAML file of this folder) through the REST channel.

A script is what a shopper does and what they must see:

    language: zh
    goal: a model name searches at once, no budget question
    turns:
      - user: iPhone 15                 # what the shopper types
        expect:
          payload: products             # a reply carries this `custom` kind (or a list of kinds)
          not_contains: [预算]
      - press_nth: 1                    # taps the first button of the last answer
      - press: 购买                      # taps the button whose title contains this, in the last answer
        from: 2                         # ... or in the answer to step 2 (an older card)
      - pay: wechat_pay                 # pays the last order on the sandbox
      - fulfil: true                    # the demo merchant ships the last order now
      - advance: 1                      # the simulated carrier moves every parcel this many steps
      - outbox: true                    # reads what the bot pushed on its own; expectations apply to it
      - clock: 21600                    # the demo's clock moves this many seconds on (nothing else is done)
      - outbox_wait: 运输中              # reads pushes until one says this (30 s at most); expectations apply
      - set_price: {item: 1, factor: 0.5}  # the sandbox sets item 1 of the last list to half its price
      - restart: true                   # the server restarts (same database, same trackers)

A step may `save: NAME` what the shopper saw; later text may use `{NAME.item.1.title}` (the
first listed item's title; also `id`, `platform`), `{NAME.button.2}` (a button's title), so a
script never depends on the catalog's exact titles, colours or sizes.

Expectations (all optional): `contains` (each entry a string, or a list of which one must
appear; case-insensitive, over every reply's text and button titles), `not_contains`, `payload`,
`no_payload`, `buttons` (substrings of button titles), `order_status` (the last order's status,
or a list of acceptable ones), `count` (how often a substring may appear at most: {text: n}).
A conversation reaches its goal when every expectation holds.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
OUTBOX_WAIT_SECONDS = 30.0  # generous: a loaded machine runs the carrier watcher late

Replies = list[dict[str, Any]]


class ConversationFailed(AssertionError):
    """A step's expectation did not hold; the message says which and what the shopper saw."""


@dataclass
class Script:
    name: str
    language: str
    goal: str
    turns: list[dict[str, Any]]


def load_scripts(folder: Path = HERE) -> list[Script]:
    scripts = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        scripts.append(Script(path.stem, data["language"], data["goal"], data["turns"]))
    return scripts


class Shop:
    """What the player needs of the running app: send a message, call a sandbox route, restart."""

    say: Callable[[str, str], Awaitable[Replies]]
    post: Callable[[str, dict[str, Any] | None], Awaitable[Any]]
    get: Callable[[str, dict[str, Any]], Awaitable[Any]]
    order_status: Callable[[str], Awaitable[str | None]]
    restart: Callable[[], Awaitable[None]]


@dataclass
class Player:
    shop: Any
    sender: str
    history: list[Replies] = field(default_factory=list)
    order_id: str | None = None
    payment_url: str | None = None
    products: list[dict[str, Any]] = field(default_factory=list)
    saved: dict[str, Replies] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        """`{NAME.item.N.field}` / `{NAME.button.N}` → what the step saved as NAME showed."""
        return re.sub(r"\{(\w+)\.(item|button)\.(\d+)(?:\.(\w+))?\}", self._lookup, text)

    def _lookup(self, m: re.Match[str]) -> str:
        replies = self.saved.get(m.group(1))
        if replies is None:
            raise ConversationFailed(f"nothing saved as {m.group(1)!r}")
        n = int(m.group(3)) - 1
        if m.group(2) == "button":
            titles = [b["title"] for r in replies for b in r.get("buttons") or []]
            if n >= len(titles):
                raise ConversationFailed(f"{m.group(1)!r} has no button {n + 1}: {titles}")
            return str(titles[n])
        items = [i for r in replies for i in ((r.get("custom") or {}).get("items") or
                                             ([(r.get("custom") or {})["item"]] if (r.get("custom") or {}).get("item") else []))]
        if n >= len(items):
            raise ConversationFailed(f"{m.group(1)!r} has no item {n + 1}")
        return str(items[n][m.group(4) or "title"])

    def _remember(self, replies: Replies) -> None:
        for r in replies:
            c = r.get("custom") or {}
            if c.get("type") == "order" and c.get("order_id"):
                self.order_id = c["order_id"]
                if c.get("payment_url"):
                    self.payment_url = c["payment_url"]
            if c.get("type") == "products" and c.get("items"):
                self.products = c["items"]
            if c.get("type") == "product" and c.get("item"):
                self.products = [c["item"]]

    async def play(self, script: Script) -> None:
        for n, step in enumerate(script.turns, start=1):
            replies = await self._act(n, step)
            self.history.append(replies)
            self._remember(replies)
            if step.get("save"):
                self.saved[str(step["save"])] = replies
            if step.get("expect"):
                await self._check(n, step, replies)

    async def _act(self, n: int, step: dict[str, Any]) -> Replies:
        if "user" in step:
            return await self.shop.say(self.sender, self.fill(str(step["user"])))
        if "press" in step:
            source = self.history[int(step["from"]) - 1] if "from" in step else (self.history[-1] if self.history else [])
            wanted = self.fill(str(step["press"])).lower()
            for r in source:
                for b in r.get("buttons") or []:
                    if wanted in b["title"].lower():
                        return await self.shop.say(self.sender, b["payload"])
            titles = [b["title"] for r in source for b in r.get("buttons") or []]
            raise ConversationFailed(f"step {n}: no button '{step['press']}' among {titles}")
        if "press_nth" in step:  # the Nth button of the last answer (e.g. the first colour offered)
            titles = [b for r in (self.history[-1] if self.history else []) for b in r.get("buttons") or []]
            if int(step["press_nth"]) > len(titles):
                raise ConversationFailed(f"step {n}: no button {step['press_nth']} in the last answer")
            return await self.shop.say(self.sender, titles[int(step["press_nth"]) - 1]["payload"])
        if "pay" in step:
            if not self.payment_url:
                raise ConversationFailed(f"step {n}: no order with a payment link to pay")
            payment_id = self.payment_url.rstrip("/").rsplit("/", 1)[-1]
            r = await self.shop.post(f"/sandbox/payments/{payment_id}/pay", {"method": step["pay"]})
            return [{"text": json.dumps(r, ensure_ascii=False)}]
        if "fulfil" in step:
            if not self.order_id:
                raise ConversationFailed(f"step {n}: no order to fulfil")
            r = await self.shop.post(f"/sandbox/orders/{self.order_id}/fulfil", None)
            return [{"text": json.dumps(r, ensure_ascii=False)}]
        if "advance" in step:
            r = await self.shop.post("/sandbox/carrier/advance", {"all": True, "steps": int(step["advance"])})
            return [{"text": json.dumps(r, ensure_ascii=False)}]
        if "clock" in step:
            r = await self.shop.post("/sandbox/clock/advance", {"seconds": float(step["clock"])})
            return [{"text": json.dumps(r, ensure_ascii=False)}]
        if "outbox_wait" in step:  # what the bot pushes on its own, as it happens: poll with a deadline
            wanted = str(step["outbox_wait"]).lower()
            pushed: Replies = []
            deadline = time.monotonic() + OUTBOX_WAIT_SECONDS
            while time.monotonic() < deadline:
                pushed += await self.shop.get("/webhooks/rest/outbox", {"sender": self.sender})
                if wanted in " ".join(str(r.get("text") or "") for r in pushed).lower():
                    break
                await asyncio.sleep(0.2)
            return pushed
        if "outbox" in step:
            return await self.shop.get("/webhooks/rest/outbox", {"sender": self.sender})
        if "set_price" in step:
            spec = step["set_price"]
            if not self.products:
                raise ConversationFailed(f"step {n}: no product list to pick item {spec.get('item')} from")
            item = self.products[int(spec.get("item", 1)) - 1]
            price = (Decimal(str(item["price"])) * Decimal(str(spec.get("factor", "0.5")))).quantize(Decimal("0.01"))
            r = await self.shop.post(f"/sandbox/platforms/{item['platform']}/products/{item['id']}/price",
                                     {"price": str(price)})
            return [{"text": json.dumps(r, ensure_ascii=False)}]
        if "restart" in step:
            await self.shop.restart()
            return []
        raise ConversationFailed(f"step {n}: unknown step {step}")

    async def _check(self, n: int, step: dict[str, Any], replies: Replies) -> None:
        expect = step["expect"]
        said = "\n".join((r.get("text") or "") + " " + " ".join(b["title"] for b in r.get("buttons") or [])
                         for r in replies)
        low = said.lower()
        kinds = [(r.get("custom") or {}).get("type") for r in replies]
        what = step.get("user") or step.get("press") or next(iter(step))
        problems = []
        for entry in _listed(expect.get("contains")):
            options = [self.fill(str(o)) for o in (entry if isinstance(entry, list) else [entry])]
            if not any(str(o).lower() in low for o in options):
                problems.append(f"missing {options!r}")
        for entry in _listed(expect.get("not_contains")):
            if self.fill(str(entry)).lower() in low:
                problems.append(f"should not say {entry!r}")
        for kind in _listed(expect.get("payload")):
            if kind not in kinds:
                problems.append(f"no {kind} payload")
        for kind in _listed(expect.get("no_payload")):
            if kind in kinds:
                problems.append(f"unexpected {kind} payload")
        titles = " ".join(b["title"] for r in replies for b in r.get("buttons") or []).lower()
        for entry in _listed(expect.get("buttons")):
            options = entry if isinstance(entry, list) else [entry]
            if not any(str(o).lower() in titles for o in options):
                problems.append(f"no button {options!r}")
        for text, most in (expect.get("count") or {}).items():
            if low.count(str(text).lower()) > int(most):
                problems.append(f"{text!r} said {low.count(str(text).lower())} times (at most {most})")
        if expect.get("names_options"):  # an answer that does not fit: the options that exist are named
            options = [b["title"] for r in replies for b in r.get("buttons") or [] if "attribute" in b["payload"]]
            text_only = "\n".join(r.get("text") or "" for r in replies)
            if not options or not all(o in text_only for o in options):
                problems.append(f"the options {options} are not named in the text")
        if "order_status" in expect:
            wanted = [str(s) for s in _listed(expect["order_status"])]
            status = await self.shop.order_status(self.order_id) if self.order_id else None
            if status not in wanted:
                problems.append(f"order {self.order_id} is {status}, wanted {wanted}")
        if problems:
            raise ConversationFailed(f"step {n} ({what!r}): " + "; ".join(problems) + f"\n  the shopper saw: {said!r}"
                                     + f"\n  payloads: {kinds}")


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
