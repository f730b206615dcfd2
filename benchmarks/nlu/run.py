"""NLU benchmark: ours vs a TF-IDF + logistic-regression baseline, on the held-out files.

    .venv/bin/python -m benchmarks.nlu.run [--data data/training] [--test data/training/test]
                                           [--requests N] [--no-http]

Prints per language: intent accuracy, entity F1 on normalised values (and on exact spans),
parse latency p50/p99 (single messages, in process), in-process throughput, training time
(wall and CPU), and the peak RSS of a process that loads the model and serves /model/parse
(with HTTP throughput and latency for 8 concurrent keep-alive clients, driven by a lean
asyncio load generator so that it takes little of the two cores the server needs). The
baseline's entities come from a regex-only extractor (the engine's built-in rules + lookup
tables, no learning, no trust filter).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.evaluate import evaluate, load_examples
from nlu.parser import load_parser
from nlu.train import split_languages, train


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else 0.0


def _latency(parser: Any, texts: list[str], rounds: int = 3) -> dict[str, float]:
    for t in texts[:50]:
        parser.parse(t)
    lat = []
    start = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            t0 = time.perf_counter()
            parser.parse(t)
            lat.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    return {"p50_ms": _pct(lat, 0.5) * 1000, "p99_ms": _pct(lat, 0.99) * 1000,
            "msg_per_s": len(lat) / total}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def _http_load(port: int, texts: list[str], n: int, clients: int = 8) -> dict[str, float]:
    """`clients` keep-alive connections, each sending its next request when the last answer is in
    (like `wrk`): plain asyncio streams, so the load generator costs the shared two cores little."""
    import json

    lat: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(texts[i % len(texts)])

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty():
                body = json.dumps({"text": queue.get_nowait()}).encode()
                t0 = time.perf_counter()
                writer.write(b"POST /model/parse HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                answer = json.loads(await reader.readexactly(length))
                lat.append(time.perf_counter() - t0)
                if status != 200 or "intent" not in answer:
                    raise RuntimeError(f"bad answer {status}: {answer}")
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    total = time.perf_counter() - t0
    return {"req_per_s": len(lat) / total, "p50_ms": _pct(lat, 0.5) * 1000, "p99_ms": _pct(lat, 0.99) * 1000}


def _serve_and_load(model_dir: Path, texts: list[str], n: int, workers: int = 1) -> dict[str, float]:
    import httpx

    port = _free_port()
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "benchmarks.nlu.serve", str(model_dir), str(port)] if workers == 1 else \
        [sys.executable, "-m", "bot.cli", "nlu", "serve", "--model", str(model_dir), "--port", str(port),
         "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.perf_counter() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                httpx.post(f"http://127.0.0.1:{port}/model/parse", json={"text": "hi"}, timeout=2)
                break
            except httpx.TransportError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.1)  # bounded polling of a real server starting up
        startup = time.perf_counter() - t0
        # warm-up on messages of their own (no held-out text is parsed twice: no cache helps)
        asyncio.run(_http_load(port, [f"warm up {i} 热身" for i in range(200)], 200))
        out = asyncio.run(_http_load(port, texts, n or len(texts)))
        out["startup_s"] = startup
        out["rss_mb"] = _peak_rss_mb(proc.pid)
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _baseline_rss(data_paths: list[Path], texts: list[str]) -> float:
    code = ("import sys, resource; from pathlib import Path; "
            "from benchmarks.nlu.baseline import BaselineParser; from nlu.train import split_languages; "
            f"d, b = split_languages([Path(p) for p in {[str(p) for p in data_paths]!r}]); "
            "p = BaselineParser(d, b); "
            f"[p.parse(t) for t in {texts[:100]!r}]; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", nargs="+", default=[str(ROOT / "data" / "training")])
    ap.add_argument("--test", default=str(ROOT / "data" / "training" / "test"))
    ap.add_argument("--requests", type=int, default=0,
                    help="HTTP requests per server (default: every held-out message once)")
    ap.add_argument("--no-http", action="store_true")
    args = ap.parse_args()
    data_paths = [Path(p) for p in args.data]
    test_files = sorted(Path(args.test).glob("*.yml"))

    tmp = Path(tempfile.mkdtemp(prefix="nlu-bench-"))
    cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    t0 = time.perf_counter()
    meta = train(data_paths, tmp)
    train_wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    train_rss = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    ours = load_parser(tmp, 0.4)
    ours_eval = load_parser(tmp, 0.0)

    from benchmarks.nlu.baseline import BaselineParser

    t0 = time.perf_counter()
    data, by_lang = split_languages(data_paths)
    base = BaselineParser(data, by_lang)
    base_train = time.perf_counter() - t0

    rows: list[tuple[str, str, dict[str, Any]]] = []
    all_texts: list[str] = []
    for f in test_files:
        examples = load_examples([f])
        texts = [e.text for e in examples]
        all_texts += texts
        lang = f.stem.replace("test_", "")
        for name, parser, norm in (("ours", ours_eval, ours.normaliser), ("baseline", base, ours.normaliser)):
            rep = evaluate(parser, examples, norm)
            lat = _latency(ours if name == "ours" else base, texts)
            rows.append((lang, name, {
                "n": len(examples), "intent": rep["intent"]["accuracy"],
                "ent_values": rep["entities"]["values"]["micro"]["f1"],
                "ent_spans": rep["entities"]["spans"]["micro"]["f1"], **lat}))

    args.requests = args.requests or len(all_texts)
    http = {} if args.no_http else _serve_and_load(tmp, all_texts, args.requests)
    http2 = {} if args.no_http else _serve_and_load(tmp, all_texts, args.requests, workers=2)
    base_rss = _baseline_rss(data_paths, all_texts)

    print(f"\nNLU benchmark  (train: {', '.join(map(str, data_paths))}; held-out: {args.test}; "
          f"{os.cpu_count()} cores)")
    print(f"{'lang':4} {'model':9} {'n':>4} {'intent':>7} {'entF1 val':>9} {'entF1 span':>10} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'msg/s':>7}")
    for lang, name, r in rows:
        print(f"{lang:4} {name:9} {r['n']:4d} {r['intent']:7.4f} {r['ent_values']:9.4f} {r['ent_spans']:10.4f} "
              f"{r['p50_ms']:7.2f} {r['p99_ms']:7.2f} {r['msg_per_s']:7.0f}")
    per_lang = ", ".join(f"{t['language']} {t['seconds']} s wall / {t.get('cpu_seconds', '?')} s CPU"
                         for t in meta["training"])
    print(f"training   ours: {train_wall:.1f} s wall, {cpu1 - cpu0:.1f} s CPU (both languages in parallel: "
          f"{per_lang}); peak RSS while training {train_rss:.0f} MB")
    print(f"training   baseline: {base_train:.1f} s wall")
    if http:
        print(f"serving    ours over HTTP /model/parse, 8 clients, {args.requests} requests: "
              f"{http['req_per_s']:.0f} req/s, p50 {http['p50_ms']:.1f} ms, p99 {http['p99_ms']:.1f} ms; "
              f"start-up {http['startup_s']:.1f} s; peak RSS of the serving process {http['rss_mb']:.0f} MB")
        print(f"serving    ours over HTTP, `shopbot nlu serve --workers 2`: {http2['req_per_s']:.0f} req/s, "
              f"p50 {http2['p50_ms']:.1f} ms, p99 {http2['p99_ms']:.1f} ms (Rasa 3.6 here: 69 req/s)")
    print(f"serving    baseline: peak RSS of a process that trains+loads it and parses {base_rss:.0f} MB")
    print("baseline entities: regex-only (built-in rules + lookup tables, no learning)")


if __name__ == "__main__":
    main()
