"""Install-size benchmark: a fresh runtime venv (``pip install .``, no extras) and its size.

    .venv/bin/python -m benchmarks.install.run [--extras test] [--ref GIT_REF] [--keep]

Creates a new virtual environment in a temporary directory, installs the project into it the
way ``make run`` does (runtime dependencies only unless ``--extras`` is given) and prints the pip
time, the environment's size on disk (as ``du`` counts it) against the 500 MB target and the
baseline, and the largest installed distributions. ``--ref`` installs a git revision of this
repository instead of the working tree (``--ref f72f22d --extras test`` is the baseline: what
``make run`` installed before the runtime/test split).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_MB = 500
# `python -m benchmarks.install.run --ref f72f22d --extras test`: make run's venv before the split
BASELINE_MB = 1473
FIRST_START_IMPORTS = (
    "import bot.cli, bot.app, bot.bootstrap, integrations.charts.price_chart, nlu.train, jieba;"
    "jieba.initialize()"
)


def disk_usage(path: Path) -> int:
    """Bytes on disk under ``path`` (allocated blocks, hard links once), like ``du -s``."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def largest(site_packages: Path, n: int = 12) -> list[tuple[str, int]]:
    """The ``n`` largest top-level entries of site-packages."""
    sizes = [(p.name, disk_usage(p) if p.is_dir() else p.stat().st_blocks * 512) for p in site_packages.iterdir()]
    return sorted(sizes, key=lambda item: -item[1])[:n]


def source_tree(ref: str | None, tmp: Path) -> Path:
    """The project to install: the working tree, or ``ref`` exported with ``git archive``."""
    if ref is None:
        return ROOT
    out = tmp / "src"
    out.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extras", default="", help="extras to install too, e.g. test")
    ap.add_argument("--ref", default=None, help="install this git revision instead of the working tree")
    ap.add_argument("--keep", action="store_true", help="keep the venv (its path is printed)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="shopbot-install-"))
    try:
        src = source_tree(args.ref, tmp)
        if args.ref is None:  # copy: a build in the working tree would leave build/ and *.egg-info behind
            shutil.copytree(ROOT, tmp / "src", ignore=shutil.ignore_patterns(
                ".venv", "var", "test-artifacts", ".git", "__pycache__", "*.egg-info", "build"))
            src = tmp / "src"
        venv = tmp / "venv"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        target = f"{src}[{args.extras}]" if args.extras else str(src)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "--no-cache-dir", "--no-compile", target]
        subprocess.run(pip, check=True)  # --no-compile, as `make run`
        pip_s = time.perf_counter() - t0
        installed_mb = disk_usage(venv) / 1e6
        # what a first start imports (and compiles into __pycache__): fails if a runtime dependency is missing
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as on a user's machine
        subprocess.run([str(venv / "bin" / "python"), "-c", FIRST_START_IMPORTS], check=True, cwd=tmp, env=env)
        size_mb = disk_usage(venv) / 1e6
        site = next((venv / "lib").glob("python3*/site-packages"))
        what = f"pip install {'.[' + args.extras + ']' if args.extras else '.'}"
        print(f"install size: {what}{' @ ' + args.ref if args.ref else ''}")
        print(f"  pip (venv + install): {pip_s:.0f} s")
        verdict = "meets" if size_mb <= TARGET_MB else "MISSES"
        print(f"  venv size after pip: {installed_mb:.0f} MB")
        print(f"  venv size after the first start's imports: {size_mb:.0f} MB = {size_mb * 1e6 / 2**20:.0f} MiB"
              f"  (target ≤ {TARGET_MB} MB: {verdict}; baseline {BASELINE_MB} MB)")
        print("  largest in site-packages:")
        for name, size in largest(site):
            print(f"    {size / 1e6:7.1f} MB  {name}")
        if args.keep:
            print(f"  kept: {venv}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
