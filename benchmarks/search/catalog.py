"""Catalog benchmark: the full generated catalog against the first 614-product catalog, in one run.

    .venv/bin/python -m benchmarks.search.catalog [--rounds 3] [--per-leaf 150]

1. Build: time to generate the full catalog (target <= 60 s); baseline the 614-product build.
2. Search: p50/p99 of aggregator searches over the three demo platforms in process, zero added
   latency, no cache (target p99 <= 30 ms); baseline the same queries over the 614 products.
   Also the process's CPU time per search, which a loaded machine inflates much less than wall time.
3. Memory: peak RSS of a serving process (catalog loaded, three platforms, searches run) (target
   <= 500 MB); baseline the same process over the 614 products.
4. Relevance: the hand-written judgement set (benchmarks/search/relevance_set.py): nDCG@5 (target
   >= 0.90) and product-kind precision@5 (target >= 0.98) over the full catalog.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module(name: str, path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build_times(per_leaf: int) -> tuple[float, float, int, Path]:
    sys.path.insert(0, str(ROOT / "data" / "catalog"))
    generate = _module("catalog_generate", ROOT / "data" / "catalog" / "generate.py")
    full = _module("catalog_full", ROOT / "data" / "catalog" / "full.py")
    started = time.perf_counter()
    generate.build_catalog()
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    catalog = full.build_full_catalog(per_leaf=per_leaf)
    out = Path(tempfile.mkdtemp()) / "full.json"
    out.write_text(json.dumps(catalog, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return baseline, time.perf_counter() - started, len(catalog["products"]), out


async def _serve(path: Path, queries: list[str], rounds: int
                 ) -> tuple[list[float], list[float], dict[str, list[tuple[str, str]]]]:
    import httpx

    from integrations.marketplaces.demo.connector import DemoMarketplaceConnector
    from integrations.marketplaces.demo.factory import build_demo_marketplace
    from integrations.text import jieba_words
    from shop.catalog import SearchQuery
    from shop.relevance import warm_up
    from shop.search import SearchAggregator

    jieba_words.install()
    warm_up()
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, catalog_path=path)
    demo._build()
    gc.collect()
    gc.freeze()
    connectors = {p: DemoMarketplaceConnector(p, f"http://{p}.demo", transport=httpx.ASGITransport(app=s.app))
                  for p, s in demo.servers.items()}
    agg = SearchAggregator(connectors, None, deadline_seconds=5.0)
    for q in queries[:20]:  # warm-up
        await agg.search(SearchQuery(product=q))
    times: list[float] = []
    cpu: list[float] = []
    tops: dict[str, list[tuple[str, str]]] = {}
    for _ in range(rounds):
        for q in queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = await agg.search(SearchQuery(product=q, page_size=5))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            tops[q] = [(h.product.category, h.product.brand) for h in result.items]
    return times, cpu, tops


def serving_process(path: Path, rounds: int) -> dict:
    """Run in a child process: search timings, top-5 kinds and brands, peak RSS."""
    import resource

    from benchmarks.search.relevance_set import JUDGEMENTS

    queries = [j[0] for j in JUDGEMENTS]
    times, cpu, tops = asyncio.run(_serve(path, queries, rounds))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"times": times, "cpu": cpu, "tops": tops, "rss_mb": rss_mb}


def _child(path: Path, rounds: int) -> dict:
    code = ("import json,sys; from pathlib import Path; from benchmarks.search.catalog import serving_process; "
            f"print(json.dumps(serving_process(Path({str(path)!r}), {rounds})))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def relevance(tops: dict[str, list[tuple[str, str]]]) -> tuple[float, float, int]:
    """nDCG@5 (gain 2: the kind and, when asked, the brand; 1: the kind only) and kind precision@5."""
    from benchmarks.search.relevance_set import JUDGEMENTS
    from shop.taxonomy import ancestors

    ndcgs: list[float] = []
    precision: list[float] = []
    for query, kind, brand in JUDGEMENTS:
        got = tops.get(query, [])
        gains = [(2 if (brand is None or b == brand) else 1) if kind in ancestors(c) else 0 for c, b in got]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sum(2 / math.log2(i + 2) for i in range(5))
        ndcgs.append(dcg / ideal)
        precision.append(sum(1 for g in gains if g) / len(gains) if gains else 0.0)
    return sum(ndcgs) / len(ndcgs), sum(precision) / len(precision), len(JUDGEMENTS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-leaf", type=int, default=150)
    args = parser.parse_args()
    baseline_build, build, count, path = build_times(args.per_leaf)
    print(f"catalog build: {count} products in {build:.1f} s (target <= 60 s); "
          f"baseline 614 products in {baseline_build:.2f} s")
    small = _child(ROOT / "data" / "catalog" / "products.json", args.rounds)
    full = _child(path, args.rounds)
    for label, run in (("baseline 614 products", small), (f"full {count} products", full)):
        t = run["times"]
        print(f"search {label:<24} p50 {pct(t, 50):6.1f} ms  p99 {pct(t, 99):6.1f} ms  max {max(t):6.1f} ms  "
              f"(n={len(t)}, 3 demo platforms in process, zero latency, no cache)   serving RSS {run['rss_mb']:.0f} MB")
        c = run["cpu"]  # CPU time of the process per search: what the machine's load does not inflate (much)
        print(f"  CPU per search {'':<17} p50 {pct(c, 50):6.1f} ms  p99 {pct(c, 99):6.1f} ms  max {max(c):6.1f} ms")
    print("targets: search p99 <= 30 ms, serving RSS <= 500 MB")
    for label, run in (("baseline 614 products", small), (f"full {count} products", full)):
        ndcg, precision, n = relevance(run["tops"])
        print(f"relevance {label:<24} nDCG@5 {ndcg:.3f}  kind precision@5 {precision:.3f}  ({n} judged queries)")
    print("targets: nDCG@5 >= 0.90, kind precision@5 >= 0.98 (full catalog)")


if __name__ == "__main__":
    main()
