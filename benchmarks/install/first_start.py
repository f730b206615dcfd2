"""First-start benchmark: `make run` on a fresh clone, to the first chat answer.

    .venv/bin/python -m benchmarks.install.first_start [--ref HEAD] [--keep]

Clones this repository (the committed ``--ref``) into a temporary directory, runs ``make run``
there (a new venv: pip, then ``shopbot serve``, which trains the NLU model because a fresh clone
has none) on a free port, and prints: the pip time (until the server logs that it warms up),
when the port first answers ``/healthz`` (and what it says), the NLU training time the server
logs, and when the first chat message (REST webhook) gets its answer — against the 4-minute
target. The machine's load average is printed too: figures on a busy machine are pessimistic.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_S = 240.0
MESSAGE = "想买5000以内的华为手机"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: dict | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="HEAD", help="the commit to clone")
    ap.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    ap.add_argument("--timeout", type=float, default=900.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="shopbot-first-start-"))
    clone = tmp / "shopbot"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.ref], check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV")}
    env.update(PORT=str(port), HOST="127.0.0.1")
    marks: dict[str, float] = {}
    lines: list[str] = []
    load_before = os.getloadavg()
    t0 = time.monotonic()
    proc = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)  # fmt: skip

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.monotonic() - t0
            lines.append(line.rstrip())
            if "warming up: the NLU model" in line:
                marks.setdefault("serve", now)
            if "NLU model trained in" in line:
                marks.setdefault("trained", now)
                marks["train_logged_s"] = float(line.split("NLU model trained in", 1)[1].split("s", 1)[0])
            if "shopbot is ready" in line:
                marks.setdefault("ready", now)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    health_first = ""
    try:
        while time.monotonic() - t0 < args.timeout and proc.poll() is None:
            status, text = http("GET", f"{base}/healthz")
            if status and "port" not in marks:
                marks["port"], health_first = time.monotonic() - t0, text
            if status:
                code, answer = http("POST", f"{base}/webhooks/rest/webhook", {"sender": "first", "message": MESSAGE})
                if code == 200 and json.loads(answer):
                    marks["answer"] = time.monotonic() - t0
                    first_reply = json.loads(answer)[0].get("text", "")
                    break
            time.sleep(0.5)
        else:
            print("\n".join(lines[-40:]))
            raise SystemExit("no answer before the timeout")
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # the make process group this benchmark started
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        reader.join(timeout=5)
    print(f"first start: make run on a fresh clone of {args.ref} ({os.cpu_count()} CPUs, "
          f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f})")
    print(f"  pip (new venv, runtime only): {marks.get('serve', float('nan')):.0f} s")
    print(f"  port answers /healthz: at {marks['port']:.0f} s: {health_first}")
    print(f"  NLU training (as logged): {marks.get('train_logged_s', float('nan')):.0f} s; ready at "
          f"{marks.get('ready', float('nan')):.0f} s")
    verdict = "meets" if marks["answer"] <= TARGET_S else "MISSES"
    print(f"  first chat answer at {marks['answer']:.0f} s (target ≤ {TARGET_S:.0f} s: {verdict}): {first_reply[:60]!r}")
    last = [ln for ln in lines if ln.strip()][-3:]
    print("  last log lines:", *last, sep="\n    ")
    if args.keep:
        print(f"  kept: {clone}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
