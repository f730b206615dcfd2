"""Latency of a whole chat turn in process (target: p50 <= 10 ms, p99 <= 30 ms).

    .venv/bin/python -m benchmarks.dialogue.run [--conversations 60] [--warmup 4] [--mode both|natural|buttons]

The app's own container (`bot.bootstrap.build_runtime`) is built and started in process:
in-memory tracker store, SQLite on a temporary file, the three demo platforms in process at
zero latency. Whole conversations — greet, search with a budget, refine, details, compare,
buy (variant, address, name, phone, remember, payment, confirm), thanks — in Chinese and
English, one sender each, are played through `container.handle(IncomingMessage("rest", ...))`
and every turn is timed.

Two ways of talking, each reported on its own:

* `natural`: what a person types ("帮我找3000元以内的耳机", "compare the first and the third"),
  with the buttons a chat page offers pressed where a person presses them (variant, payment
  method, confirm). These go through the container's NLU parser — whatever `bot/bootstrap.py`
  puts in `container.parser` (its class is printed), so the benchmark measures the real NLU
  as soon as it is wired. With the keyword stand-in most typed turns fall back; the "flow hit"
  column shows how many turns got the answer the conversation was after.
* `buttons`: the same conversations with every step that has a button sent as the button's
  payload (`/search_product{...}`): no NLU, so this measures flows, search and orders.

Baseline, in the same run: the same messages (replayed text for text, sender for sender) through
a bare `DialogueEngine` with the same parser, a fresh in-memory tracker store and NO flows,
services or shopper lookup — i.e. NLU parse + tracker load/append/save only. The difference
is what the flows, the demo platforms, SQLite (shopper lookup, orders) and the turn wrapper cost.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.bootstrap import Runtime, build_runtime
from bot.settings import Settings
from dialogue import responses
from dialogue.engine import DialogueEngine
from dialogue.messages import IncomingMessage, Reply
from tracking.lock import InProcessLockManager
from tracking.store import InMemoryTrackerStore

TARGET_P50_MS = 10.0
TARGET_P99_MS = 30.0


@dataclass(frozen=True)
class Step:
    """One turn of a script: what a person types, and the payload of the button doing the same."""

    kind: str
    typed: str
    button: str | None = None
    typed_is_button: bool = False  # in `natural` mode a person presses the button here too


# --- the scripts ------------------------------------------------------------------------------

ZH_SHOPPING = [("耳机", 3000), ("手机", 5000), ("笔记本", 8000), ("跑鞋", 1000), ("平板", 4000)]
EN_SHOPPING = [("earphones", 3000), ("phone", 5000), ("laptop", 8000), ("running shoes", 1000), ("tablet", 4000)]
ZH_REFINE = [("只看京东的", '/refine_search{"platform": "jd"}'),
             ("按销量排序", '/refine_search{"sort_by": "sales"}'),
             ("有没有便宜点的", '/refine_search{"sort_by": "price_asc"}')]
EN_REFINE = [("only JD please", '/refine_search{"platform": "jd"}'),
             ("sort them by sales", '/refine_search{"sort_by": "sales"}'),
             ("anything cheaper?", '/refine_search{"sort_by": "price_asc"}')]


def payload(intent: str, **entities: Any) -> str:
    import json

    return "/" + intent + (json.dumps(entities, ensure_ascii=False) if entities else "")


def zh_script(rng: random.Random) -> list[Step]:
    product, budget = rng.choice(ZH_SHOPPING)
    refine, refine_button = rng.choice(ZH_REFINE)
    search = rng.choice([f"帮我找一款{budget}元以内的{product}", f"想买{product},预算{budget}左右",
                         f"{budget}块钱以内有什么好的{product}推荐吗"])
    return [
        Step("greet", rng.choice(["你好", "您好,在吗"]), "/greet"),
        Step("search", search, payload("search_product", product=product, price_max=budget)),
        Step("refine", refine, refine_button),
        Step("details", rng.choice(["第二个详细说说", "看看第二个的详情"]), payload("show_details", ordinal=2)),
        Step("compare", "对比一下第一个和第三个", payload("compare_products", ordinal=[1, 3])),
        Step("buy", rng.choice(["就买第一个吧", "第一个下单"]), payload("buy", ordinal=1)),
        Step("address", "北京市朝阳区建国路88号3号楼501"),
        Step("name", rng.choice(["王芳", "李雷", "张伟"])),
        Step("phone", rng.choice(["13800138000", "139 1234 5678"])),
        Step("remember", "不用记", "/deny", typed_is_button=True),
        Step("payment", "微信支付", payload("inform", payment_method="wechat_pay"), typed_is_button=True),
        Step("confirm", "确认下单", "/affirm", typed_is_button=True),
        Step("thanks", "谢谢,再见", "/thank"),
    ]


def en_script(rng: random.Random) -> list[Step]:
    product, budget = rng.choice(EN_SHOPPING)
    refine, refine_button = rng.choice(EN_REFINE)
    search = rng.choice([f"I'm looking for {product} under {budget} yuan", f"find me a {product} for at most ¥{budget}",
                         f"any good {product} below {budget} rmb?"])
    return [
        Step("greet", rng.choice(["hello there", "hi, are you there?"]), "/greet"),
        Step("search", search, payload("search_product", product=product, price_max=budget)),
        Step("refine", refine, refine_button),
        Step("details", rng.choice(["tell me more about the second one", "details of number 2"]),
             payload("show_details", ordinal=2)),
        Step("compare", "compare the first and the third", payload("compare_products", ordinal=[1, 3])),
        Step("buy", rng.choice(["I'll take the first one", "buy the first one"]), payload("buy", ordinal=1)),
        Step("address", "88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing"),
        Step("name", rng.choice(["Wang Fang", "Li Lei"])),
        Step("phone", "13800138000"),
        Step("remember", "no thanks", "/deny", typed_is_button=True),
        Step("payment", "WeChat Pay", payload("inform", payment_method="wechat_pay"), typed_is_button=True),
        Step("confirm", "place the order", "/affirm", typed_is_button=True),
        Step("thanks", "thanks, bye", "/thank"),
    ]


# What the turn of each kind was after (for the "flow hit" column).
def _custom(kind: str) -> Callable[[list[Reply]], bool]:
    return lambda replies: any((r.custom or {}).get("type") == kind for r in replies)


EXPECTED: dict[str, Callable[[list[Reply]], bool]] = {
    "search": _custom("products"), "refine": _custom("products"), "details": _custom("product"),
    "compare": _custom("comparison"), "confirm": _custom("order"),
}
KIND_ORDER = ["greet", "search", "refine", "details", "compare", "buy", "variant", "address", "name", "phone",
              "remember", "payment", "confirm", "thanks"]


# --- measuring --------------------------------------------------------------------------------

@dataclass
class Sample:
    kind: str
    ms: float
    hit: bool | None  # None: no expectation for this kind
    error: bool


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


GENERIC_ERRORS = {responses.text("error_generic", "zh"), responses.text("error_generic", "en")}


async def play(container: Runtime, mode: str, conversations: int, warmup: int, seed: int
               ) -> tuple[list[Sample], list[tuple[str, str, str]]]:
    """Play the conversations; returns the timed samples and every (kind, sender, text) sent."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    sent: list[tuple[str, str, str]] = []
    for n in range(warmup + conversations):
        script = (zh_script if n % 2 == 0 else en_script)(rng)
        sender = f"bench-{mode}-{n}"
        for step in script:
            text = step.button if step.button and (mode == "buttons" or step.typed_is_button) else step.typed
            replies = await timed_turn(container, samples if n >= warmup else None, sent if n >= warmup else None,
                                       step.kind, sender, text)
            if step.kind == "buy":  # a person picks the first colour / size offered, as buttons
                for _ in range(4):
                    variant = next((b.payload for r in replies for b in r.buttons if '"attribute"' in b.payload), None)
                    if variant is None:
                        break
                    replies = await timed_turn(container, samples if n >= warmup else None,
                                               sent if n >= warmup else None, "variant", sender, variant)
    return samples, sent


async def timed_turn(container: Runtime, samples: list[Sample] | None, sent: list[tuple[str, str, str]] | None,
                     kind: str, sender: str, text: str) -> list[Reply]:
    message = IncomingMessage("rest", sender, text)
    start = time.perf_counter()
    replies = await container.handle(message)
    ms = (time.perf_counter() - start) * 1000
    if samples is not None and sent is not None:
        check = EXPECTED.get(kind)
        error = any(r.text in GENERIC_ERRORS for r in replies)
        samples.append(Sample(kind, ms, check(replies) if check else None, error))
        sent.append((kind, sender, text))
    return replies


async def baseline(container: Runtime, sent: list[tuple[str, str, str]]) -> tuple[list[Sample], list[Sample]]:
    """The same messages through a bare engine: NLU parse + tracker load/append/save, no flows.

    Also times, per message, the shopper lookup a real turn makes (`shoppers.by_identity`, one
    SQL round trip or two), to show how much of a turn it is."""
    bare = DialogueEngine(parser=container.parser, store=InMemoryTrackerStore(), locks=InProcessLockManager(),
                          flows=[])
    shoppers = container.services.shoppers
    samples, lookups = [], []
    for kind, sender, text in sent:
        start = time.perf_counter()
        await bare.handle(IncomingMessage("rest", sender, text))
        samples.append(Sample(kind, (time.perf_counter() - start) * 1000, None, False))
        if shoppers is not None:
            start = time.perf_counter()
            await shoppers.by_identity("rest", sender, None)
            lookups.append(Sample(kind, (time.perf_counter() - start) * 1000, None, False))
    return samples, lookups


def table(title: str, samples: list[Sample], base: list[Sample], lookups: list[Sample]) -> None:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    base_by_kind: dict[str, list[float]] = defaultdict(list)
    lookup_by_kind: dict[str, list[float]] = defaultdict(list)
    for s in lookups:
        lookup_by_kind[s.kind].append(s.ms)
    for s in samples:
        by_kind[s.kind].append(s)
    for s in base:
        base_by_kind[s.kind].append(s.ms)
    print(f"\n{title}")
    print(f"{'turn':<10}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'flow hit':>10}{'errors':>8}"
          f"   | baseline{'p50':>7}{'p99':>8}   | shopper lookup{'p50':>7}{'p99':>8}")
    rows = [(k, by_kind[k]) for k in KIND_ORDER if k in by_kind] + [("ALL", samples)]
    for kind, group in rows:
        ms = [s.ms for s in group]
        checked = [s.hit for s in group if s.hit is not None]
        hit = f"{sum(checked)}/{len(checked)}" if checked else "-"
        b = [s.ms for s in base] if kind == "ALL" else base_by_kind[kind]
        lk = [s.ms for s in lookups] if kind == "ALL" else lookup_by_kind[kind]
        lookup = f"{percentile(lk, 50):>7.2f}{percentile(lk, 99):>8.2f}" if lk else f"{'-':>7}{'-':>8}"
        print(f"{kind:<10}{len(ms):>5}{percentile(ms, 50):>9.2f}{percentile(ms, 99):>9.2f}{max(ms):>9.2f}"
              f"{hit:>10}{sum(s.error for s in group):>8}   |         {percentile(b, 50):>7.2f}{percentile(b, 99):>8.2f}"
              f"   |               {lookup}")
    ms = [s.ms for s in samples]
    p50, p99 = percentile(ms, 50), percentile(ms, 99)
    verdict = "MEETS" if p50 <= TARGET_P50_MS and p99 <= TARGET_P99_MS else "MISSES"
    print(f"overall p50 {p50:.2f} ms, p99 {p99:.2f} ms -> {verdict} the target "
          f"(p50 <= {TARGET_P50_MS:.0f} ms, p99 <= {TARGET_P99_MS:.0f} ms)")


async def main(conversations: int, warmup: int, modes: list[str], seed: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        defaults = Settings()
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", redis_url=None, var_dir=Path(tmp) / "var",
            nlu_model_dir=defaults.nlu_model_dir,  # the trained model, once the bootstrap loads one
            demo_platform_transport="asgi", demo_platform_latency_ms=0, demo_platform_jitter_ms=0,
            demo_price_walk_seconds=0, sandbox=True)
        container = build_runtime(settings)
        print(f"starting the app's container (the NLU model of {settings.nlu_model_dir} is loaded, "
              "or trained first when missing or stale)...", flush=True)
        await container.start()
        try:
            parser = container.parser.current
            print(f"NLU parser in use: {type(parser).__module__}.{type(parser).__qualname__}")
            print(f"{conversations} conversations per mode (half Chinese, half English), {warmup} warm-up "
                  "conversations not counted; one sender each; turns one after another")
            for mode in modes:
                samples, sent = await play(container, mode, conversations, warmup, seed)
                base, lookups = await baseline(container, sent)
                table(f"[{mode}] container.handle per turn  (baseline: bare NLU parse + tracker, no flows)",
                      samples, base, lookups)
        finally:
            await container.stop()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--mode", choices=["both", "natural", "buttons"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    modes = ["natural", "buttons"] if args.mode == "both" else [args.mode]
    asyncio.run(main(args.conversations, args.warmup, modes, args.seed))


if __name__ == "__main__":
    cli()
