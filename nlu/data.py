"""Loading Rasa 3 NLU YAML (`nlu:` with intent / synonym / lookup / regex entries).

Data Rasa would reject raises `NluDataError` naming the file, the line and the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import NluDataError

_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|\{(?P<dict>[^}]+?)\}"
    r"|\[(?P<list>\{.*?\}(?:\s*,\s*\{.*?\})*)\])"
)
_ALLOWED_TOP = {"version", "nlu", "stories", "rules", "e2e_tests", "responses", "intents",
                "entities", "slots", "forms", "actions", "session_config", "config", "test_stories",
                "retrieval_intents", "metadata"}
_ITEM_KINDS = ("intent", "synonym", "lookup", "regex")
_ALLOWED_ITEM_KEYS = {"intent", "synonym", "lookup", "regex", "examples", "metadata"}


@dataclass(frozen=True)
class EntitySpan:
    """An annotated entity: character offsets into the plain text and its normalised value."""

    start: int
    end: int
    entity: str
    value: Any
    text: str
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class TrainingExample:
    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()
    source: str = ""


@dataclass
class NluData:
    """Everything read from one or more Rasa NLU files."""

    examples: list[TrainingExample] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # lower-cased text -> canonical value
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)

    def merge(self, other: NluData) -> None:
        """Add another file's content to this one."""
        self.examples.extend(other.examples)
        self.synonyms.update(other.synonyms)
        for k, v in other.lookups.items():
            self.lookups.setdefault(k, []).extend(v)
        for k, v in other.regexes.items():
            self.regexes.setdefault(k, []).extend(v)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    @property
    def entity_types(self) -> list[str]:
        return sorted({s.entity for e in self.examples for s in e.entities})


def parse_annotated(line: str, where: str = "") -> tuple[str, tuple[EntitySpan, ...]]:
    """Turn `我想买[华为]{"entity": "brand", "value": "Huawei"}手机` into text and spans."""
    out: list[str] = []
    spans: list[EntitySpan] = []
    pos = 0
    length = 0
    for m in _ANNOTATION.finditer(line):
        before = line[pos:m.start()]
        out.append(before)
        length += len(before)
        text = m.group("text")
        start, end = length, length + len(text)
        out.append(text)
        length = end
        pos = m.end()
        for entity, value, role, group in _annotation_entities(m, where):
            spans.append(EntitySpan(start, end, entity, value if value is not None else text, text,
                                    role, group))
    out.append(line[pos:])
    plain = "".join(out)
    if "](" in plain or re.search(r"\]\{\s*\"", plain):
        raise NluDataError(f"{where}: malformed entity annotation in {line!r}")
    return plain, tuple(spans)


def _annotation_entities(m: re.Match[str], where: str) -> list[tuple[str, Any, Any, Any]]:
    if m.group("entity"):
        value = m.group("value")
        return [(m.group("entity").strip(), value.strip() if value else None, None, None)]
    raw = m.group("dict") and "{" + m.group("dict") + "}" or "[" + (m.group("list") or "") + "]"
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise NluDataError(f"{where}: entity annotation is not valid JSON: {raw} ({exc.msg})") from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    result = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("entity"), str) or not item["entity"]:
            raise NluDataError(f"{where}: entity annotation needs an \"entity\" name: {raw}")
        value = item.get("value")
        result.append((item["entity"], value, item.get("role"), item.get("group")))
    return result


def _example_lines(node: yaml.Node, where: str) -> list[tuple[int, str, Any]]:
    """(line number, text, metadata) for each example of an `examples:` node."""
    if isinstance(node, yaml.ScalarNode):
        value = node.value
        base = node.start_mark.line + (1 if node.style in ("|", ">") else 0)
        lines = []
        for i, raw in enumerate(value.split("\n")):
            s = raw.strip()
            if not s:
                continue
            if not s.startswith("- "):
                raise NluDataError(f"{where}:{base + i + 1}: example must start with '- ': {s!r}")
            text = s[2:].strip()
            if not text:
                raise NluDataError(f"{where}:{base + i + 1}: empty example")
            lines.append((base + i + 1, text, None))
        return lines
    if isinstance(node, yaml.SequenceNode):
        lines = []
        for item in node.value:
            line = item.start_mark.line + 1
            data = yaml.safe_load(yaml.serialize(item))
            if isinstance(data, dict) and isinstance(data.get("text"), str):
                lines.append((line, data["text"].strip(), data.get("metadata")))
            else:
                raise NluDataError(f"{where}:{line}: examples list items need a 'text' string")
        return lines
    raise NluDataError(f"{where}:{node.start_mark.line + 1}: 'examples' must be a block or a list")


def load_file(path: Path) -> NluData:
    """Read one Rasa YAML file; raise NluDataError (file, line, reason) on invalid content."""
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NluDataError(f"{where}: cannot read: {exc}") from exc
    try:
        root = yaml.compose(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise NluDataError(f"{where}{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    data = NluData()
    if root is None:
        return data
    if not isinstance(root, yaml.MappingNode):
        raise NluDataError(f"{where}:{root.start_mark.line + 1}: top level must be a mapping")
    for key_node, value_node in root.value:
        key = key_node.value
        if key not in _ALLOWED_TOP:
            raise NluDataError(f"{where}:{key_node.start_mark.line + 1}: unknown top-level key {key!r}")
        if key == "nlu":
            _load_nlu(value_node, where, data)
    return data


def _load_nlu(node: yaml.Node, where: str, data: NluData) -> None:
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~"):
        return
    if not isinstance(node, yaml.SequenceNode):
        raise NluDataError(f"{where}:{node.start_mark.line + 1}: 'nlu' must be a list")
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise NluDataError(f"{where}:{line}: each nlu item must be a mapping")
        fields = {k.value: v for k, v in item.value}
        unknown = set(fields) - _ALLOWED_ITEM_KEYS
        if unknown:
            raise NluDataError(f"{where}:{line}: unknown key(s) {sorted(unknown)} in nlu item")
        kinds = [k for k in _ITEM_KINDS if k in fields]
        if len(kinds) != 1:
            raise NluDataError(f"{where}:{line}: an nlu item needs exactly one of {list(_ITEM_KINDS)}")
        kind = kinds[0]
        name_node = fields[kind]
        name = name_node.value if isinstance(name_node, yaml.ScalarNode) else None
        if not isinstance(name, str) or not name.strip():
            raise NluDataError(f"{where}:{line}: {kind} needs a non-empty name")
        name = name.strip()
        if "examples" not in fields:
            raise NluDataError(f"{where}:{line}: {kind} {name!r} has no 'examples'")
        examples = _example_lines(fields["examples"], where)
        if kind == "intent":
            for ln, text, _meta in examples:
                plain, spans = parse_annotated(text, f"{where}:{ln}")
                if not plain.strip():
                    raise NluDataError(f"{where}:{ln}: example has no text")
                data.examples.append(TrainingExample(plain, name, spans, f"{where}:{ln}"))
                for s in spans:
                    if isinstance(s.value, str) and s.value != s.text:
                        data.synonyms[s.text.lower()] = s.value
        elif kind == "synonym":
            for _ln, text, _meta in examples:
                data.synonyms[text.lower()] = name
        elif kind == "lookup":
            data.lookups.setdefault(name, []).extend(t for _l, t, _m in examples)
        else:
            for ln, text, _meta in examples:
                try:
                    re.compile(text)
                except re.error as exc:
                    raise NluDataError(f"{where}:{ln}: invalid regex for {name!r}: {exc}") from exc
                data.regexes.setdefault(name, []).append(text)


def collect_files(paths: list[Path]) -> list[Path]:
    """Expand directories to their *.yml / *.yaml files (sorted); skip any `test/` subfolder."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(list(p.rglob("*.yml")) + list(p.rglob("*.yaml"))):
                rel = f.relative_to(p).parts
                if "test" in rel[:-1] or "tests" in rel[:-1]:
                    continue
                files.append(f)
        elif p.is_file():
            files.append(p)
        else:
            raise NluDataError(f"{p}: no such file or directory")
    return files


def load_data(paths: list[Path]) -> NluData:
    """Load and merge every NLU file under `paths`."""
    data = NluData()
    for f in collect_files(paths):
        data.merge(load_file(f))
    return data
