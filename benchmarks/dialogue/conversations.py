"""The scripted shopper conversations (tests/conversations/*.yaml): share that reaches its goal
(target >= 98%) and turn latency in process (targets p50 <= 10 ms, p99 <= 30 ms).

    .venv/bin/python -m benchmarks.dialogue.conversations [--repeat 1] [--only NAME_PART] [-v]

Every conversation is played as the test suite plays it: the real app (lifespan started, the
trained NLU model, SQLite on a temporary file, the demo platforms in process at zero latency),
each message through the REST channel (`POST /webhooks/rest/webhook` over an in-process ASGI
transport). A turn's latency is the time of that request, so it includes the FastAPI route and
JSON on top of `container.handle`.

Baseline, in the same run: the conversations listed in tests/conversations/known_failures.py
are the ones that did not reach their goal before this work was done and stay expected to fail;
the table prints how many of those pass now and how many of the others regressed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.dialogue.run import percentile
from bot.settings import Settings
from tests.conversations.known_failures import KNOWN_FAILING
from tests.conversations.player import ConversationFailed, Player, Replies, load_scripts
from tests.conversations.test_conversations import AppShop

TARGET_SHARE = 98.0
TARGET_P50_MS, TARGET_P99_MS = 10.0, 30.0


class TimedShop(AppShop):
    def __init__(self, settings: Any, samples: list[float]) -> None:
        super().__init__(settings)
        self.samples = samples

    async def say(self, sender: str, text: str) -> Replies:
        start = time.perf_counter()
        replies = await super().say(sender, text)
        self.samples.append((time.perf_counter() - start) * 1000)
        return replies


async def main(repeat: int, only: str | None, verbose: bool) -> None:
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)
    scripts = [s for s in load_scripts() if not only or only in s.name]
    defaults = Settings()
    samples: list[float] = []
    reached: dict[str, bool] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, script in enumerate(scripts * repeat):
            settings = Settings(database_url=f"sqlite+aiosqlite:///{Path(tmp) / f'bench{n}.db'}", redis_url=None,
                                var_dir=Path(tmp) / f"var{n}", nlu_model_dir=defaults.nlu_model_dir,
                                demo_platform_transport="asgi", demo_platform_latency_ms=0,
                                demo_platform_jitter_ms=0, demo_price_walk_seconds=0, sandbox=True,
                                demo_catalog="demo")
            shop = TimedShop(settings, samples)
            await shop.start()
            try:
                await Player(shop, sender=f"bench-{script.name}").play(script)
                reached.setdefault(script.name, True)
            except (ConversationFailed, AssertionError) as exc:
                reached[script.name] = False
                if verbose:
                    print(f"--- {script.name}: {exc}")
            finally:
                await shop.stop()
    ok = sum(reached.values())
    share = 100.0 * ok / len(reached) if reached else 0.0
    by_lang = {lang: [reached[s.name] for s in scripts if s.language == lang] for lang in ("zh", "en")}
    fixed = sorted(name for name in reached if name in KNOWN_FAILING and reached[name])
    regressed = sorted(name for name in reached if name not in KNOWN_FAILING and not reached[name])
    print(f"{len(reached)} conversations ({', '.join(f'{k} {sum(v)}/{len(v)}' for k, v in by_lang.items())}), "
          f"{len(samples)} turns")
    print(f"reached their goal: {ok}/{len(reached)} = {share:.1f}% -> "
          f"{'MEETS' if share >= TARGET_SHARE else 'MISSES'} the target (>= {TARGET_SHARE:.0f}%)")
    print(f"baseline (known_failures.py): {len(KNOWN_FAILING)} expected to fail; {len(fixed)} of them pass now; "
          f"{len(regressed)} others fail{': ' + ', '.join(regressed) if regressed else ''}")
    if samples:
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        verdict = "MEETS" if p50 <= TARGET_P50_MS and p99 <= TARGET_P99_MS else "MISSES"
        print(f"turn latency (REST request in process): p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(samples):.2f} ms"
              f" -> {verdict} the target (p50 <= {TARGET_P50_MS:.0f} ms, p99 <= {TARGET_P99_MS:.0f} ms)")
    failing = sorted(name for name, good in reached.items() if not good)
    if failing:
        print("not reaching their goal: " + ", ".join(failing))


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="play every conversation this many times")
    parser.add_argument("--only", help="only conversations whose file name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print why each failing conversation failed")
    args = parser.parse_args()
    asyncio.run(main(args.repeat, args.only, args.verbose))


if __name__ == "__main__":
    cli()
