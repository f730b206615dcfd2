"""shopbot's NLU on public sets, beside Rasa 3.6 DIET (figures of ../shared MEASUREMENTS).

    .venv/bin/python -m benchmarks.nlu_public.run --smp2019 PATH --snips PATH --bitext PATH

Each PATH is a local copy of the set's source (the published file, a checkout or a git directory;
see convert.py for the files read and how a test split is taken off where none is published).
For each set given: convert to Rasa YAML in a temporary directory, train through the CLI
(`shopbot nlu train --data <train> --out <model> --sequential --profile general`: wall and CPU seconds of that
process), evaluate on the test split in process (intent accuracy; entity F1 on exact spans and on
normalised values, micro over all entity types; fallback threshold 0), time single parses (p50,
in process), and start a process that loads the model and serves `/model/parse` over HTTP while
every test message is sent to it: its peak RSS is the serving memory.
Nothing of the data is written into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.nlu.run import _latency, _serve_and_load
from benchmarks.nlu_public.convert import SETS, write
from nlu.evaluate import evaluate, load_examples
from nlu.parser import load_parser

# Rasa Open Source 3.6.21, default DIET pipeline, 2-core machine (shared/MEASUREMENTS.md).
# Parse latency and memory were measured once for the server, not per set.
DIET: dict[str, dict[str, Any]] = {
    "smp2019": {"intent": 0.882, "entity": 0.680, "train_s": 1627.0, "split": "2,053 / 270"},
    "bitext": {"intent": 1.000, "entity": 0.860, "train_s": 894.0, "split": "3,559 / 448"},
    "snips": {"intent": None, "entity": None, "train_s": None, "split": "13,084 / 700",
              "note": "training not finished after 99 min (> 5,900 s)"},
}
DIET_P50_MS = 12.9  # /model/parse, one client, over HTTP
DIET_RSS_MB = "1,200-1,400"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def train_cli(train_dir: Path, model_dir: Path) -> tuple[float, float]:
    """Train through `shopbot nlu train`; (wall seconds, CPU seconds) of that process."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "nlu", "train", "--data", str(train_dir),
                           "--out", str(model_dir), "--sequential", "--profile", "general"], check=False, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0:
        raise RuntimeError(f"training failed:\n{proc.stderr[-2000:]}")
    return wall, cpu


def bench_set(name: str, source: Path, work: Path, http: bool) -> dict[str, Any]:
    conv = SETS[name](source)
    train_dir, test_file = write(conv, work / "data")
    model_dir = work / "models" / name
    wall, cpu = train_cli(train_dir, model_dir)
    parser = load_parser(model_dir, 0.0)
    examples = load_examples([test_file])
    report = evaluate(parser, examples, parser.normaliser)
    texts = [e.text for e in examples]
    lat = _latency(parser, texts)
    served = _serve_and_load(model_dir, texts, len(texts)) if http else {}
    return {"set": name, "train_n": len(conv.train), "test_n": len(conv.test), "notes": conv.notes,
            "intent": report["intent"]["accuracy"],
            "entity_spans": report["entities"]["spans"]["micro"]["f1"],
            "entity_values": report["entities"]["values"]["micro"]["f1"],
            "train_wall_s": round(wall, 1), "train_cpu_s": round(cpu, 1),
            "p50_ms": round(lat["p50_ms"], 3), "p99_ms": round(lat["p99_ms"], 3),
            "rss_mb": round(served.get("rss_mb", float("nan")), 1),
            "http_p50_ms": round(served.get("p50_ms", float("nan")), 2),
            "startup_s": round(served.get("startup_s", float("nan")), 1),
            "confusions": report["intent"]["confusion"][:8]}


def _f(v: float | None, fmt: str = "{:.3f}") -> str:
    return "-" if v is None else fmt.format(v)


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"\nshopbot NLU vs Rasa 3.6 DIET on public sets ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the end)")
    head = (f"{'set':8} {'engine':8} {'train/test':>13} {'intent':>7} {'entF1 span':>10} {'entF1 val':>9} "
            f"{'train s (wall / CPU)':>21} {'parse p50 ms':>12} {'RSS MB':>11}")
    print(head)
    print("-" * len(head))
    for r in rows:
        d = DIET[r["set"]]
        print(f"{r['set']:8} {'shopbot':8} {r['train_n']:>6,} / {r['test_n']:<4,} {r['intent']:7.3f} "
              f"{r['entity_spans']:10.3f} {r['entity_values']:9.3f} "
              f"{r['train_wall_s']:>10.1f} / {r['train_cpu_s']:<8.1f} {r['p50_ms']:12.2f} {r['rss_mb']:>11.0f}")
        train = "-" if d["train_s"] is None else f"{d['train_s']:,.0f}"
        print(f"{'':8} {'DIET':8} {d['split']:>13} {_f(d['intent']):>7} {_f(d['entity']):>10} {'-':>9} "
              f"{train:>21} {DIET_P50_MS:>12.1f} {DIET_RSS_MB:>11}")
        if d.get("note"):
            print(f"{'':17} DIET: {d['note']}")
        checks = []
        if d["intent"] is not None:
            checks.append(f"intent {'ahead' if r['intent'] > d['intent'] else 'tied' if r['intent'] == d['intent'] else 'BEHIND'}")
        if d["entity"] is not None:
            checks.append(f"entities {'ahead' if r['entity_spans'] > d['entity'] else 'BEHIND'}")
        if d["train_s"] is not None:
            share = r["train_wall_s"] / d["train_s"]
            checks.append(f"training {share:.2f} of DIET's time (wall){'' if share <= 0.2 else ' OVER 1/5'}, "
                          f"{r['train_cpu_s'] / d['train_s']:.2f} in CPU seconds")
        checks.append(f"serving RSS {'≤' if r['rss_mb'] <= 300 else 'OVER'} 300 MB")
        print(f"{'':17} {'; '.join(checks)}")
        for n in r["notes"]:
            print(f"{'':17} data: {n}")
        if r["confusions"]:
            top = ", ".join(f"{c['true']}→{c['predicted']} {c['count']}" for c in r["confusions"][:4])
            print(f"{'':17} most confused: {top}")
    print("DIET parse p50 is over HTTP (one client); shopbot's is in process (its HTTP p50 is in the "
          "JSON report). DIET's splits are the ones of the MEASUREMENTS run, ours are described in convert.py.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in SETS:
        ap.add_argument(f"--{name}", type=Path, help=f"local copy of the {name} source")
    ap.add_argument("--no-http", action="store_true", help="skip the serving process (no RSS figure)")
    ap.add_argument("--report", type=Path, help="write the figures as JSON here too")
    args = ap.parse_args()
    chosen = [(n, getattr(args, n)) for n in SETS if getattr(args, n) is not None]
    if not chosen:
        ap.error("give at least one of " + ", ".join(f"--{n}" for n in SETS))
    rows = []
    with tempfile.TemporaryDirectory(prefix="nlu-public-") as tmp:
        for name, path in chosen:
            print(f"{name}: converting, training, evaluating …", flush=True)
            rows.append(bench_set(name, path, Path(tmp), not args.no_http))
            r = rows[-1]
            print(f"  {name}: intent {r['intent']:.3f}, entity F1 spans {r['entity_spans']:.3f} / values "
                  f"{r['entity_values']:.3f}, training {r['train_wall_s']:.0f} s wall / {r['train_cpu_s']:.0f} s CPU, "
                  f"parse p50 {r['p50_ms']:.2f} ms, serving RSS {r['rss_mb']:.0f} MB", flush=True)
    print_table(rows)
    if args.report:
        args.report.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
