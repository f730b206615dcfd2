"""What the NLU returns, in Rasa's `/model/parse` shape (contracts/nlu.md), and the parser port."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any  # normalised: int/float/str (numbers as int when whole)
    start: int
    end: int
    text: str
    confidence: float = 1.0
    extractor: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_rasa(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence_entity": round(self.confidence, 4),
            "extractor": self.extractor,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: IntentScore
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    language: str = "zh"

    def first(self, entity: str) -> Entity | None:
        return next((e for e in self.entities if e.entity == entity), None)

    def values(self, entity: str) -> list[Any]:
        return [e.value for e in self.entities if e.entity == entity]

    def to_rasa(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": {"name": self.intent.name, "confidence": round(self.intent.confidence, 4)},
            "intent_ranking": [
                {"name": s.name, "confidence": round(s.confidence, 4)} for s in self.intent_ranking
            ],
            "entities": [e.to_rasa() for e in self.entities],
            "language": self.language,
        }


class Parser(Protocol):
    """Turns one message into intent, entities (with normalised values) and language."""

    def parse(self, text: str, language: str | None = None) -> ParseResult: ...
