"""Training: Rasa YAML -> one spaCy pipeline per language (configs in nlu/configs/) + rule trust.

Layout of a model directory:
    meta.json         languages, data hash, normaliser tables, trusted rules, lookups, timings
    <lang>/           the spaCy pipeline (nlp.to_disk)
"""

from __future__ import annotations

import hashlib
import json
import queue as queue_mod
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import spacy
from spacy.training import Example
from spacy.util import load_config, load_model_from_config, minibatch
from thinc.api import Adam

from . import features as _features  # noqa: F401  (registers shopbot.CharWordBOW.v1)
from . import tokenizer as _tokenizer  # noqa: F401  (registers shopbot.CharWordTokenizer.v1)
from .data import EntitySpan, NluData, TrainingExample, collect_files, load_file
from .errors import NluDataError
from .normalise import ValueNormaliser
from .numbers import to_halfwidth
from .rules import LookupMatcher, RuleExtractor, builtin_rules, data_rules, rule_precision
from .tokenizer import add_words, detect_language, set_gazetteer, set_memory, tag_gazetteer

CONFIG_DIR = Path(__file__).parent / "configs"
# Config sets: "shop" (the shop's own NLU, the default) and "general" (public sets with many
# entity kinds: the recogniser runs first, sees dictionary matches, and the intent classifier
# reads the entities it found).
PROFILES = {"shop": CONFIG_DIR, "general": CONFIG_DIR / "general"}
MODEL_FORMAT = 1
Progress = Callable[[str, int, int], None]  # (language, done, total)


@dataclass
class LanguageData:
    language: str
    examples: list[TrainingExample]


def data_hash(paths: list[Path], profile: str = "shop") -> str:
    """Content hash of every training file (names relative order + bytes) and of the configs."""
    h = hashlib.sha256()
    h.update(f"format{MODEL_FORMAT}".encode())
    if profile != "shop":
        h.update(f"profile {profile}".encode())
    for f in collect_files(paths):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    for cfg in sorted(PROFILES[profile].glob("*.cfg")):
        h.update(cfg.read_bytes())
    return h.hexdigest()


def split_languages(paths: list[Path]) -> tuple[NluData, dict[str, list[TrainingExample]]]:
    """Load all files; each file's examples go to the file's majority language."""
    merged = NluData()
    by_lang: dict[str, list[TrainingExample]] = {}
    for f in collect_files(paths):
        d = load_file(f)
        merged.merge(d)
        if not d.examples:
            continue
        votes: dict[str, int] = {}
        for ex in d.examples:
            lang = detect_language(ex.text)
            votes[lang] = votes.get(lang, 0) + 1
        lang = max(votes, key=lambda k: votes[k])
        by_lang.setdefault(lang, []).extend(d.examples)
    if not merged.examples:
        raise NluDataError(f"{', '.join(map(str, paths))}: no intent examples found")
    return merged, by_lang


def config_for(language: str, profile: str = "shop") -> Path:
    """The spaCy config of a language (non-Chinese languages use the English one)."""
    return PROFILES[profile] / ("zh.cfg" if language == "zh" else "en.cfg")


def augment(examples: list[TrainingExample], copies: int, seed: int = 0) -> list[TrainingExample]:
    """Extra copies of annotated examples with each entity replaced by another surface form of
    the same label seen in the data (more lexical variety for both the NER and the textcat)."""
    if copies <= 0:
        return examples
    rng = random.Random(seed)
    forms: dict[str, list[tuple[str, Any]]] = {}
    for ex in examples:
        for s in ex.entities:
            forms.setdefault(s.entity, []).append((s.text, s.value))
    out = list(examples)
    for ex in examples:
        spans = sorted(ex.entities, key=lambda s: s.start)
        if not spans or any(a.end > b.start for a, b in pairwise(spans)):
            continue
        for _ in range(copies):
            parts, new_spans, pos, offset = [], [], 0, 0
            for s in spans:
                text, value = rng.choice(forms[s.entity])
                parts.append(ex.text[pos:s.start])
                start = s.start + offset
                parts.append(text)
                new_spans.append(EntitySpan(start, start + len(text), s.entity, value, text))
                offset += len(text) - (s.end - s.start)
                pos = s.end
            parts.append(ex.text[pos:])
            out.append(TrainingExample("".join(parts), ex.intent, tuple(new_spans), ex.source))
    return out


GAZETTEER_VALUES = False  # measured on SMP2019: the training values as a dictionary lowered recall


def gazetteer_tables(data: NluData, examples: list[TrainingExample],
                     values: bool = GAZETTEER_VALUES) -> dict[str, list[str]]:
    """The dictionaries the entity recogniser sees as a token feature: the data's lookup tables
    and, with `values`, as "v:<label>" every entity value annotated in the training examples."""
    tables = {name: sorted(set(words)) for name, words in data.lookups.items()}
    if not values:
        return tables
    values: dict[str, set[str]] = {}
    for ex in examples:
        for s in ex.entities:
            values.setdefault("v:" + s.entity, set()).add(s.text)
    tables.update({k: sorted(v) for k, v in values.items()})
    return tables


def value_memory(examples: list[TrainingExample]) -> dict[str, list[str]]:
    """Per intent, the entity values its training examples annotate (tokenizer.set_memory)."""
    out: dict[str, set[str]] = {}
    for ex in examples:
        for s in ex.entities:
            out.setdefault(ex.intent, set()).add(s.text)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _own_values(examples: list[TrainingExample], lookups: dict[str, list[str]],
                copies_from: int | None = None) -> list[frozenset[str]]:
    """Per example, its entity values that no other example annotates and no lookup table holds:
    the gazetteer feature leaves them out while training, as it will not know a new value at parse
    time (otherwise the recogniser learns to find only the values it was shown)."""
    def key(t: str) -> str:
        return " ".join(t.split()).lower()

    in_lookup = {key(w) for words in lookups.values() for w in words}
    first_copy = len(examples) if copies_from is None else copies_from
    count: dict[str, int] = {}
    for ex in examples[:first_copy]:
        for v in {key(s.text) for s in ex.entities}:
            count[v] = count.get(v, 0) + 1
    # augmented copies (from `copies_from` on) carry values moved from other examples, maybe of
    # other intents: none of their values counts as known
    return [frozenset(v for v in {key(s.text) for s in ex.entities}
                      if (n >= first_copy or count[v] == 1) and v not in in_lookup)
            for n, ex in enumerate(examples)]


def _make_examples(nlp: Any, examples: list[TrainingExample], intents: list[str],
                   skips: list[frozenset[str]] | None = None) -> list[Example]:
    out = []
    retag = bool(getattr(nlp.tokenizer, "gazetteer", False))
    for n, ex in enumerate(examples):
        doc = nlp.make_doc(to_halfwidth(ex.text))  # as the parser sees it (same offsets)
        if skips is not None and skips[n]:
            doc.user_data["memory_skip"] = skips[n]  # features.entity_features
            if retag:
                tag_gazetteer(doc, skips[n])
        ents: list[tuple[int, int, str]] = []
        taken: list[tuple[int, int]] = []
        for s in sorted(ex.entities, key=lambda s: (s.start, -(s.end - s.start))):
            span = doc.char_span(s.start, s.end, alignment_mode="expand")
            if span is None or any(span.start_char < e and span.end_char > b for b, e in taken):
                continue
            taken.append((span.start_char, span.end_char))
            ents.append((span.start_char, span.end_char, s.entity))
        cats = {i: float(i == ex.intent) for i in intents}
        out.append(Example.from_dict(doc, {"entities": ents, "cats": cats}))
    return out


def train_language(language: str, examples: list[TrainingExample], out_dir: Path,
                   progress: Progress | None = None, seed: int = 0,
                   lookups: dict[str, list[str]] | None = None, profile: str = "shop") -> dict[str, Any]:
    """Train one language's pipeline into out_dir/<language>; returns timing info."""
    t0 = time.perf_counter()
    cpu0 = time.process_time()  # the budget counts CPU time: a busy machine must not cut training short
    config = load_config(config_for(language, profile))
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    hp = config.get("shopbot", {})
    intents = sorted({e.intent for e in examples})
    labels = sorted({s.entity for e in examples for s in e.entities})
    augmented = augment(examples, int(hp.get("augment_copies", 0)), seed)
    train = _make_examples(nlp, augmented, intents, _own_values(augmented, lookups or {}, len(examples)))
    # the copies move entity values between examples of different intents: the textcat may learn
    # from the written examples only (SMP2019: intent 0.908 instead of 0.859, where a name tells
    # an app from a website or a video)
    tc_train = train if hp.get("textcat_augment", True) else train[:len(examples)]
    textcat: Any = nlp.get_pipe("textcat")
    for i in intents:
        textcat.add_label(i)
    ner: Any = nlp.get_pipe("ner")
    for lb in labels:
        ner.add_label(lb)
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    optimizer = nlp.initialize(lambda: train)
    tc_epochs = int(hp.get("textcat_epochs", 10))
    ner_epochs = int(hp.get("ner_epochs", 20)) if labels else 0
    tc_batch = int(hp.get("textcat_batch_size", 64))
    ner_batch = int(hp.get("ner_batch_size", 32))
    patience = int(hp.get("patience", 4))
    budget = float(hp.get("time_budget_s", 50))
    min_ner_epochs = int(hp.get("min_ner_epochs", 6))  # a big data set gets a fair NER, over budget
    dropout = float(config["training"].get("dropout", 0.1))
    total = tc_epochs + ner_epochs
    done = 0
    tc_optimizer = Adam(float(hp.get("textcat_learn_rate", 0.03)), grad_clip=1.0, use_averages=False)

    def train_textcat() -> None:
        nonlocal done
        for _epoch in range(tc_epochs):
            random.shuffle(tc_train)
            for b in minibatch(tc_train, size=tc_batch):
                nlp.update(b, drop=dropout, sgd=tc_optimizer, exclude=["ner"])
            done += 1
            if progress:
                progress(language, done, total)

    def train_ner() -> None:
        nonlocal done
        best_ner, stale = float("inf"), 0
        for epoch in range(ner_epochs):
            random.shuffle(train)
            losses: dict[str, float] = {}
            for b in minibatch(train, size=ner_batch):
                nlp.update(b, drop=dropout, sgd=optimizer, losses=losses, exclude=["textcat"])
            done += 1
            if progress:
                progress(language, done, total)
            loss = float(losses.get("ner", 0.0))
            if loss < best_ner * 0.97:
                best_ner, stale = loss, 0
            else:
                stale += 1
            over_budget = epoch + 1 >= min_ner_epochs and time.process_time() - cpu0 > budget
            if stale >= patience or over_budget:
                break

    if nlp.pipe_names.index("ner") < nlp.pipe_names.index("textcat"):
        # the textcat reads the recogniser's entities (features.entity_features): train the
        # recogniser first, then let it mark the training texts as it will mark a shopper's
        train_ner()
        if ner_epochs:
            with nlp.use_params(optimizer.averages):
                for eg in train:
                    eg.predicted.ents = []
                    ner(eg.predicted)
        train_textcat()
    else:
        train_textcat()
        train_ner()
    path = out_dir / language
    with nlp.use_params(optimizer.averages):
        nlp.to_disk(path)
    if progress:
        progress(language, total, total)
    return {"language": language, "seconds": round(time.perf_counter() - t0, 2),
            "cpu_seconds": round(time.process_time() - cpu0, 2),
            "examples": len(examples), "intents": len(intents), "entity_labels": labels}


def _rule_trust(merged: NluData, by_lang: dict[str, list[TrainingExample]],
                fill: bool = False) -> dict[str, list[str]]:
    """Per language, the rules that win over the NER (precision >= 0.9 on the training data), or
    with `fill`, the weaker ones (0.75 <= precision < 0.9) that only fill gaps the NER left."""
    labels = set(merged.entity_types)
    rules = [r for r in builtin_rules() + data_rules(merged.regexes, labels) if r.label in labels]
    lookups = LookupMatcher({k: v for k, v in merged.lookups.items() if k in labels})
    extractor = RuleExtractor(rules, lookups)
    trust: dict[str, list[str]] = {}
    for lang, exs in by_lang.items():
        gold = [(e.text, e.intent, {(s.start, s.end, s.entity) for s in e.entities}) for e in exs]
        stats = rule_precision(extractor, gold, labels)
        lo, hi = (0.75, 0.9) if fill else (0.9, 1.01)
        trust[lang] = sorted(k for k, (ok, n) in stats.items() if ok >= 2 and lo <= ok / n < hi)
    return trust


def intent_entities(examples: list[TrainingExample]) -> dict[str, dict[str, int]]:
    """Per intent, how often each entity label is annotated in its examples: the parser drops
    statistical guesses of a label that the intent never carries ("快递走到哪了" has no product)."""
    out: dict[str, dict[str, int]] = {}
    for ex in examples:
        counts = out.setdefault(ex.intent, {})
        for s in ex.entities:
            counts[s.entity] = counts.get(s.entity, 0) + 1
    return out


def _train_worker(args: tuple[str, list[TrainingExample], str, list[str], Any,
                        dict[str, list[str]], dict[str, list[str]], str, dict[str, list[str]]]) -> dict[str, Any]:
    language, examples, out_dir, words, queue, gazetteer, lookups, profile, memory = args
    add_words(words)
    set_gazetteer(gazetteer)
    set_memory(memory)

    def report(lang: str, done: int, total: int) -> None:
        if queue is not None:
            queue.put((lang, done, total))

    return train_language(language, examples, Path(out_dir), report, lookups=lookups, profile=profile)


def train(paths: list[Path], out_dir: Path, progress: Progress | None = None,
          parallel: bool = True, profile: str = "shop") -> dict[str, Any]:
    """Train every language found under `paths` into `out_dir` with the configs of `profile`
    (see PROFILES); returns the written meta."""
    if profile not in PROFILES:
        raise NluDataError(f"unknown NLU config profile {profile!r} (known: {', '.join(PROFILES)})")
    t0 = time.perf_counter()
    merged, by_lang = split_languages(paths)
    out_dir.mkdir(parents=True, exist_ok=True)
    words = [w for table in merged.lookups.values() for w in table] + list(merged.synonyms)
    add_words(words)
    gazetteer = gazetteer_tables(merged, merged.examples)
    set_gazetteer(gazetteer)
    memory = value_memory(merged.examples) if profile != "shop" else {}
    set_memory(memory)
    results: list[dict[str, Any]] = []
    langs = sorted(by_lang)
    if parallel and len(langs) > 1:
        ctx = get_context("spawn")
        manager = ctx.Manager()
        queue = manager.Queue()
        with ProcessPoolExecutor(max_workers=len(langs), mp_context=ctx) as pool:
            futures = [pool.submit(_train_worker, (lg, by_lang[lg], str(out_dir), words, queue, gazetteer,
                                                   merged.lookups, profile, memory))
                       for lg in langs]
            pending = set(futures)
            while pending:
                pending = {f for f in pending if not f.done()}
                while not queue.empty():
                    lang, done, total = queue.get()
                    if progress:
                        progress(lang, done, total)
                if pending:
                    try:
                        lang, done, total = queue.get(timeout=0.2)
                        if progress:
                            progress(lang, done, total)
                    except queue_mod.Empty:
                        pass
            results = [f.result() for f in futures]
        manager.shutdown()
    else:
        for lg in langs:
            results.append(train_language(lg, by_lang[lg], out_dir, progress, lookups=merged.lookups,
                                          profile=profile))
    annotations = [(s.entity, s.text, s.value) for e in merged.examples for s in e.entities]
    normaliser = ValueNormaliser.learn(merged.synonyms, annotations)
    meta = {
        "format": MODEL_FORMAT,
        "data_hash": data_hash(paths, profile),
        "profile": profile,
        "languages": langs,
        "default_language": max(langs, key=lambda lg: len(by_lang[lg])),
        "intents": merged.intents,
        "entities": merged.entity_types,
        "normaliser": normaliser.to_json(),
        "lookups": {k: v for k, v in merged.lookups.items() if k in set(merged.entity_types)},
        "regexes": merged.regexes,
        "trusted_rules": _rule_trust(merged, by_lang),
        "fill_rules": _rule_trust(merged, by_lang, fill=True),
        "intent_entities": intent_entities(merged.examples),
        "jieba_words": sorted({w for w in words if w}),
        "gazetteer": gazetteer,
        "memory": memory,
        "training": results,
        "train_seconds": round(time.perf_counter() - t0, 2),
        "trained_at": time.time(),
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return meta
