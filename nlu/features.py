"""The intent classifier's model: hashed character n-grams + word n-grams -> sparse linear -> softmax.

Character n-grams survive segmentation errors and unseen words (the lesson from DIET); word
n-grams (jieba words for Chinese) add the longer-range cue. Registered for spaCy configs as
`shopbot.CharWordBOW.v1`.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import numpy
from spacy.ml.models.textcat import SparseLinear_v2
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, chain, softmax_activation, with_cpu

from .numbers import to_halfwidth
from .tokenizer import CJK, jieba_words, memory_tags

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(rf"[{CJK}]|[^\W_]+|[^\w\s]")
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    t = to_halfwidth(text).lower()
    t = _DIGITS.sub("0", t)
    return _SPACES.sub(" ", t).strip()


@lru_cache(maxsize=20000)
def text_features(text: str, char_min: int, char_max: int, word_max: int, char_mode: str,
                  use_jieba: bool) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Hashed feature keys and their (L2-normalised) values for one text."""
    t = _normalise(text)
    feats: dict[str, float] = {}
    if char_mode == "all":
        s = "^" + t.replace(" ", "_") + "$"
        for n in range(char_min, char_max + 1):
            for i in range(len(s) - n + 1):
                g = s[i:i + n]
                feats["c" + g] = feats.get("c" + g, 0.0) + 1.0
    if use_jieba and re.search(f"[{CJK}]", t):
        words = [w for w, _s, _e in jieba_words(t) if w.strip()]
    else:
        words = _WORD.findall(t)
    if char_mode == "word":
        for w in words:
            s = "<" + w + ">"
            for n in range(char_min, char_max + 1):
                for i in range(len(s) - n + 1):
                    g = s[i:i + n]
                    feats["c" + g] = feats.get("c" + g, 0.0) + 1.0
    seq = ["<s>"] + words + ["</s>"]
    for n in range(1, word_max + 1):
        for i in range(len(seq) - n + 1):
            g = " ".join(seq[i:i + n])
            if g in ("<s>", "</s>"):
                continue
            feats["w" + g] = feats.get("w" + g, 0.0) + 1.0
    if not feats:
        feats["<empty>"] = 1.0
    keys = numpy.fromiter((get_string_id(k) for k in feats), dtype="uint64", count=len(feats))
    vals = numpy.fromiter(feats.values(), dtype="float32", count=len(feats))
    vals /= math.sqrt(float((vals * vals).sum()))
    return keys, vals


def entity_features(doc: Doc, weight: float = 0.5) -> tuple[numpy.ndarray, numpy.ndarray] | None:
    """What the entity recogniser (run before the textcat) and the gazetteer found: each entity's
    label, the words around it ("播放 <song>", "<Src> 到 <Dest>"), each dictionary tag, and the
    intents whose training examples named a value the text holds (tokenizer.memory_tags). An
    intent is often told by which kinds of thing are named, whatever their words."""
    feats: dict[str, float] = {}
    text = doc.text
    previous = "<s>"
    for ent in doc.ents:
        label = ent.label_
        before = _WORD.findall(_normalise(text[:ent.start_char]))[-2:]
        after = _WORD.findall(_normalise(text[ent.end_char:]))[:2]
        feats["e" + label] = 1.0
        feats["p" + previous + ">" + label] = 1.0
        feats["l" + "".join(before[-1:]) + "<" + label] = 1.0
        feats["L" + "".join(before) + "<" + label] = 1.0
        feats["r" + label + ">" + "".join(after[:1])] = 1.0
        feats["R" + label + ">" + "".join(after)] = 1.0
        previous = label
    for tok in doc:
        tag = tok.lemma_
        if tag.startswith("B-"):
            feats["g" + tag[2:]] = 1.0
    for intent in memory_tags(text, doc.user_data.get("memory_skip", frozenset())):
        feats["v" + intent] = 1.0
    if not feats:
        return None
    keys = numpy.fromiter((get_string_id(k) for k in feats), dtype="uint64", count=len(feats))
    vals = numpy.fromiter(feats.values(), dtype="float32", count=len(feats))
    vals *= weight / math.sqrt(float((vals * vals).sum()))
    return keys, vals


def extract_text_features(char_min: int, char_max: int, word_max: int, char_mode: str,
                          use_jieba: bool, use_entities: bool = False) -> Model[list[Doc], Any]:
    """A thinc layer turning docs into (keys, values, lengths) for SparseLinear."""

    def forward(model: Model, docs: list[Doc], is_train: bool) -> Any:
        keys, vals = [], []
        for doc in docs:
            k, v = text_features(doc.text, char_min, char_max, word_max, char_mode, use_jieba)
            if use_entities:
                extra = entity_features(doc)
                if extra is not None:
                    k, v = numpy.concatenate([k, extra[0]]), numpy.concatenate([v, extra[1]])
            keys.append(k)
            vals.append(v)
        lengths = model.ops.asarray1i([k.shape[0] for k in keys])
        out = (numpy.concatenate(keys) if keys else numpy.zeros((0,), dtype="uint64"),
               numpy.concatenate(vals) if vals else numpy.zeros((0,), dtype="float32"),
               lengths)
        return out, lambda dY: []

    return Model("extract_text_features", forward)


def softmax_ce_output() -> Model[Any, Any]:
    """Softmax whose backward pass hands the textcat's (scores - truths) straight to the logits:
    the cross-entropy gradient, instead of squared error through the softmax Jacobian (which
    vanishes on confidently wrong answers)."""

    def forward(model: Model, X: Any, is_train: bool) -> Any:
        Y = model.ops.softmax(X, axis=-1)
        return Y, lambda dY: dY

    return Model("softmax_ce", forward)


@registry.architectures("shopbot.CharWordBOW.v1")
def build_char_word_bow(
    exclusive_classes: bool = True,
    char_min: int = 1,
    char_max: int = 3,
    word_max: int = 2,
    char_mode: str = "all",
    use_jieba: bool = True,
    length: int = 262144,
    no_output_layer: bool = False,
    cross_entropy: bool = True,
    use_entities: bool = False,
    nO: int | None = None,
) -> Model[list[Doc], Any]:
    """Bag of char + word n-grams, one sparse linear layer, softmax output (or raw scores when
    `no_output_layer`, e.g. inside spacy.TextCatEnsemble.v2). `use_entities` adds the entity and
    dictionary features of `entity_features` (the pipeline must run "ner" before "textcat")."""
    length = 2 ** (length - 1).bit_length()
    layers: list[Model] = [extract_text_features(char_min, char_max, word_max, char_mode, use_jieba, use_entities),
                           SparseLinear_v2(nO=nO, length=length)]
    if not no_output_layer:
        layers.append(softmax_ce_output() if cross_entropy else softmax_activation())
    model: Model[list[Doc], Any] = chain(*layers)
    if not exclusive_classes:
        raise ValueError("shopbot.CharWordBOW.v1 supports exclusive classes only")
    model = with_cpu(model, model.ops)
    model.set_ref("output_layer", model.layers[0].layers[1])
    model.attrs["multi_label"] = False
    return model

