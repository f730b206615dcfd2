"""CPU time per search over the full demo catalog (what a loaded machine inflates least).

    .venv/bin/python -m benchmarks.search.cpu [--profile]

The 660 hand-written relevance queries once each (after one warm-up pass) through the search
aggregator over the three demo platforms in process (ASGI, zero latency, no cache): CPU time of
the process per search (p50 / p99 / mean), the relevance of the results (nDCG@5, kind P@5, as
`benchmarks.search.catalog` counts them) and the peak RSS. `--profile` also prints the cProfile
of the timed pass (its call count does not depend on the machine's load). Compare two commits
by running it in each, back to back.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import resource
import time
from pathlib import Path

import httpx

from benchmarks.search.catalog import pct, relevance
from benchmarks.search.relevance_set import JUDGEMENTS
from integrations.marketplaces.demo.connector import DemoMarketplaceConnector
from integrations.marketplaces.demo.factory import build_demo_marketplace
from integrations.marketplaces.demo.store import full_catalog_path
from integrations.text import jieba_words
from shop.catalog import SearchQuery
from shop.relevance import warm_up
from shop.search import SearchAggregator

ROOT = Path(__file__).resolve().parents[2]


async def run(profile: bool) -> None:
    jieba_words.install()
    warm_up()
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, catalog_path=full_catalog_path(ROOT / "var"))
    demo._build()
    gc.collect()
    gc.freeze()
    connectors = {p: DemoMarketplaceConnector(p, f"http://{p}.demo", transport=httpx.ASGITransport(app=s.app))
                  for p, s in demo.servers.items()}
    agg = SearchAggregator(connectors, None, deadline_seconds=30.0)
    queries = [j[0] for j in JUDGEMENTS]
    for q in queries:  # warm-up: jieba's cuts, the platforms' indexes
        await agg.search(SearchQuery(product=q, page_size=5))
    cpu: list[float] = []
    tops: dict[str, list[tuple[str, str]]] = {}
    profiler = cProfile.Profile()
    if profile:
        profiler.enable()
    for q in queries:
        started = time.process_time()
        result = await agg.search(SearchQuery(product=q, page_size=5))
        cpu.append((time.process_time() - started) * 1000)
        tops[q] = [(h.product.category, h.product.brand) for h in result.items]
    profiler.disable()
    ndcg, precision, n = relevance(tops)
    print(f"CPU per search p50 {pct(cpu, 50):.2f} ms  p99 {pct(cpu, 99):.2f} ms  mean {sum(cpu) / len(cpu):.2f} ms"
          f"  (n={n}{', under cProfile' if profile else ''})")
    print(f"relevance nDCG@5 {ndcg:.3f}  kind precision@5 {precision:.3f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if profile:
        stats = pstats.Stats(profiler)
        print(f"Python calls in the timed pass: {stats.total_calls:,}")  # type: ignore[attr-defined]
        stats.sort_stats("cumulative").print_stats(30)
    for connector in connectors.values():
        await connector.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.profile))


if __name__ == "__main__":
    main()
