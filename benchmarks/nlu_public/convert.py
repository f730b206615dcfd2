"""Converters from public NLU sets' own published files to Rasa-format YAML (train and test).

The data is never committed: each converter reads a local copy whose path is given on the
command line, which may be
  - the published file itself,
  - a checkout of the source repository, or
  - a bare git directory of it (what `git clone --mirror` makes): the file is read with `git show`
    from the newest commit that has it.

Sets and splits:
  smp2019  SMP2019-ECDT task 1 (OnionWang/SMP2019-ECDT-NLU, `dataSet/train.json`: 2,579 Chinese
           utterances; intent = "domain.intent", 48 labels; slots as entities, each at the first
           place its value occurs). Only a training file is published, so a test split is taken
           off per label with a fixed seed: 10 % of each label (at least one when it has 3 or
           more examples; labels with fewer stay in training only).
  snips    SNIPS (MiuLab/SlotGated-SLU `data/snips/{train,test}/{seq.in,seq.out,label}`: 13,084
           training and 700 test utterances, 7 intents, BIO slots) — its own split.
  bitext   Bitext customer support (bitext/customer-support-llm-chatbot-training-dataset,
           `data/train/Bitext_Sample_Customer_Support_Training_Dataset.csv`: 4,514 English
           utterances, 27 intents, one entity with character offsets per row). No test split is
           published: 10 % per intent, fixed seed, as for smp2019. Where the published offsets do
           not cover the published value, the value is looked up in the text, and a value found
           inside a longer token ("4587345" in "00004587345") is widened to that token.

    .venv/bin/python -m benchmarks.nlu_public.convert smp2019 PATH OUT_DIR
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.data import parse_annotated

SEED = 20190801
TEST_SHARE = 0.10


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[tuple[int, int, str], ...] = ()  # (start, end, label), values = the text


@dataclass
class Converted:
    name: str
    train: list[Example]
    test: list[Example]
    notes: list[str] = field(default_factory=list)
    lookups: dict[str, list[str]] = field(default_factory=dict)  # published dictionaries


# -- reading the published files -------------------------------------------------------------

def _is_git_dir(path: Path) -> bool:
    return path.is_dir() and (path / "HEAD").is_file() and (path / "objects").is_dir()


def read_published(path: Path, inner: str, *, binary: bool = False) -> bytes:
    """The bytes of `inner` (a path inside the source repository) from `path`: the file itself,
    a checkout, or a git directory (newest commit that has the file)."""
    if path.is_file():
        return path.read_bytes()
    if (path / inner).is_file():
        return (path / inner).read_bytes()
    git_dir = path / ".git" if _is_git_dir(path / ".git") else path
    if _is_git_dir(git_dir):
        revs = subprocess.run(["git", "--git-dir", str(git_dir), "rev-list", "--all", "--date-order"],
                              capture_output=True, text=True, check=True).stdout.split()
        for rev in revs:  # newest first
            got = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{rev}:{inner}"],
                                 check=False, capture_output=True)
            if got.returncode == 0:
                return got.stdout
    raise FileNotFoundError(f"{path}: no {inner} there (give the file, a checkout or a git directory)")


# -- splits ----------------------------------------------------------------------------------

def stratified_split(examples: list[Example], share: float = TEST_SHARE,
                     seed: int = SEED) -> tuple[list[Example], list[Example]]:
    """Per label, `share` of the examples (rounded, at least 1 when a label has >= 3) to test."""
    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {}
    for ex in examples:
        by_label.setdefault(ex.intent, []).append(ex)
    train, test = [], []
    for label in sorted(by_label):
        items = list(by_label[label])
        rng.shuffle(items)
        k = max(1, round(len(items) * share)) if len(items) >= 3 else 0
        test += items[:k]
        train += items[k:]
    return train, test


# -- the sets --------------------------------------------------------------------------------

SMP2019_DICTIONARIES = ("city", "province", "railway_station", "dishName")


def smp2019(path: Path, dictionaries: bool = True) -> Converted:
    """`dictionaries`: also the published `dataSet/dic/*.txt` (cities, provinces, stations,
    dishes), written as Rasa lookup tables into the training file."""
    rows = json.loads(read_published(path, "dataSet/train.json").decode("utf-8"))
    examples, moved = [], 0
    for row in rows:
        text = " ".join(str(row["text"]).split())
        spans: list[tuple[int, int, str]] = []
        for label, value in (row.get("slots") or {}).items():
            value = str(value)
            start = _free_find(text, value, spans)
            if start < 0:
                moved += 1
                continue
            spans.append((start, start + len(value), label))
        examples.append(Example(text, f"{row['domain']}.{row['intent']}", tuple(sorted(spans))))
    train, test = stratified_split(_dedupe(examples))
    notes = [(f"{len(rows)} published utterances, {len({e.intent for e in examples})} domain.intent labels; "
             f"test = {TEST_SHARE:.0%} per label, seed {SEED}")]
    if moved:
        notes.append(f"{moved} slot values not found in their text were left out")
    lookups: dict[str, list[str]] = {}
    if dictionaries:
        for name in SMP2019_DICTIONARIES:
            try:
                words = read_published(path, f"dataSet/dic/{name}.txt").decode("utf-8").splitlines()
            except FileNotFoundError:
                continue  # a copy of train.json alone
            lookups[name] = sorted({w.strip() for w in words if w.strip()})
    if lookups:
        notes.append("the set's published dictionaries as lookup tables: " +
                     ", ".join(f"{k} ({len(v):,})" for k, v in lookups.items()))
    return Converted("smp2019", train, test, notes, lookups)


def snips(path: Path) -> Converted:
    def part(split: str) -> list[Example]:
        base = f"data/snips/{split}/"
        seq_in = read_published(path, base + "seq.in").decode("utf-8").splitlines()
        seq_out = read_published(path, base + "seq.out").decode("utf-8").splitlines()
        labels = read_published(path, base + "label").decode("utf-8").splitlines()
        out = []
        for words_line, tags_line, intent in zip(seq_in, seq_out, labels, strict=True):
            words, tags = words_line.split(), tags_line.split()
            out.append(_from_bio(words, tags, intent.strip()))
        return out

    train, test = part("train"), part("test")
    return Converted("snips", train, test, [f"the published split: {len(train)} train / {len(test)} test"])


BITEXT_FILE = "data/train/Bitext_Sample_Customer_Support_Training_Dataset.csv"


def bitext(path: Path) -> Converted:
    raw = read_published(path, BITEXT_FILE).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    examples, widened, found = [], 0, 0
    for row in rows:
        text = " ".join(row["instruction"].split())
        spans: tuple[tuple[int, int, str], ...] = ()
        label, value = (row.get("entity_type") or "").strip(), (row.get("entity_value") or "").strip()
        if label and value:
            try:
                s, e = int(row["start_offset"]), int(row["end_offset"])
            except (TypeError, ValueError):
                s, e = -1, -1
            if s < 0 or e > len(text) or text[s:e] != value:
                s = text.find(value)
                e = s + len(value)
                found += 1
            if s >= 0:
                while s > 0 and text[s - 1].isalnum():
                    s, widened = s - 1, widened + 1
                while e < len(text) and text[e].isalnum():
                    e, widened = e + 1, widened + 1
                spans = ((s, e, label),)
        examples.append(Example(text, row["intent"].strip(), spans))
    train, test = stratified_split(_dedupe(examples))
    notes = [(f"{len(rows)} published utterances, {len({e.intent for e in examples})} intents; "
             f"test = {TEST_SHARE:.0%} per intent, seed {SEED}"),
             f"{found} entity offsets re-found from the value ({widened} characters widened to whole tokens)"]
    return Converted("bitext", train, test, notes)


SETS = {"smp2019": smp2019, "snips": snips, "bitext": bitext}


# -- helpers ---------------------------------------------------------------------------------

def _free_find(text: str, value: str, taken: list[tuple[int, int, str]]) -> int:
    """First occurrence of `value` in `text` that overlaps no span already taken."""
    start = text.find(value)
    while start >= 0:
        end = start + len(value)
        if not any(start < e and end > s for s, e, _ in taken):
            return start
        start = text.find(value, start + 1)
    return -1


def _from_bio(words: list[str], tags: list[str], intent: str) -> Example:
    text, spans, pos = "", [], 0
    current: list | None = None
    for w, t in zip(words, tags, strict=True):
        if text:
            text += " "
        start = len(text)
        text += w
        end = len(text)
        if t.startswith("B-") or (t.startswith("I-") and (current is None or current[2] != t[2:])):
            if current:
                spans.append(tuple(current))
            current = [start, end, t[2:]]
        elif t.startswith("I-") and current is not None:
            current[1] = end
        else:
            if current:
                spans.append(tuple(current))
            current = None
        pos = end
    if current:
        spans.append(tuple(current))
    del pos
    return Example(text, intent, tuple(spans))


def _dedupe(examples: list[Example]) -> list[Example]:
    seen, out = set(), []
    for ex in examples:
        if ex.text not in seen:
            seen.add(ex.text)
            out.append(ex)
    return out


_MARKUP = re.compile(r"[\[\]{}()]")


def annotate(ex: Example) -> str:
    """One example line in Rasa markup: `[text]{"entity": "label"}`."""
    out, pos = [], 0
    for s, e, label in sorted(ex.entities):
        out.append(ex.text[pos:s])
        out.append("[" + ex.text[s:e] + "]" + json.dumps({"entity": label}, ensure_ascii=False))
        pos = e
    out.append(ex.text[pos:])
    return "".join(out)


def _round_trips(ex: Example, line: str) -> bool:
    try:
        plain, spans = parse_annotated(line)
    except Exception:  # noqa: BLE001  (any markup the loader would refuse)
        return False
    return plain == ex.text and sorted((s.start, s.end, s.entity) for s in spans) == sorted(ex.entities)


def to_yaml(examples: Iterable[Example], lookups: dict[str, list[str]] | None = None) -> tuple[str, int]:
    """Rasa 3 NLU YAML of the examples (grouped by intent); returns it and how many examples
    had to be written without their entities (markup characters inside an entity)."""
    by_intent: dict[str, list[str]] = {}
    dropped = 0
    for ex in examples:
        line = annotate(ex)
        if not _round_trips(ex, line):
            plain = _MARKUP.sub(" ", ex.text) if _MARKUP.search(ex.text) else ex.text
            line, dropped = plain, dropped + 1
        by_intent.setdefault(ex.intent, []).append(line)
    parts = ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        parts.append(f"- intent: {json.dumps(intent, ensure_ascii=False)}")
        parts.append("  examples: |")
        parts.extend(f"    - {line}" for line in by_intent[intent])
    for name, words in (lookups or {}).items():
        parts.append(f"- lookup: {json.dumps(name)}")
        parts.append("  examples: |")
        parts.extend(f"    - {w}" for w in words if _round_trips(Example(w, ""), w))
    return "\n".join(parts) + "\n", dropped


def write(conv: Converted, out_dir: Path) -> tuple[Path, Path]:
    """Write `train/nlu.yml` and `test.yml` under out_dir/<set>."""
    base = out_dir / conv.name
    (base / "train").mkdir(parents=True, exist_ok=True)
    train_yaml, d1 = to_yaml(conv.train, conv.lookups)
    test_yaml, d2 = to_yaml(conv.test)
    if d1 or d2:
        conv.notes.append(f"{d1 + d2} examples with markup characters inside an entity kept without it")
    (base / "train" / "nlu.yml").write_text(train_yaml, encoding="utf-8")
    (base / "test.yml").write_text(test_yaml, encoding="utf-8")
    return base / "train", base / "test.yml"


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="Convert a public NLU set to Rasa YAML")
    ap.add_argument("set", choices=sorted(SETS))
    ap.add_argument("path", type=Path, help="the published file, a checkout or a git directory")
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    conv = SETS[args.set](args.path)
    train_dir, test_file = write(conv, args.out)
    print(f"{conv.name}: {len(conv.train)} train -> {train_dir}, {len(conv.test)} test -> {test_file}")
    for n in conv.notes:
        print("  " + n)


if __name__ == "__main__":
    main()
