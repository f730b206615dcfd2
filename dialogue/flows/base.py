"""What a flow is: something an intent starts, that may ask questions over several turns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from dialogue.context import TurnContext


class Flow(ABC):
    name: ClassVar[str]
    intents: ClassVar[tuple[str, ...]] = ()  # intents that start it
    digression: ClassVar[bool] = False  # may interrupt another flow, which resumes afterwards

    @abstractmethod
    async def start(self, ctx: TurnContext) -> None:
        """The intent that starts the flow arrived."""

    async def resume(self, ctx: TurnContext) -> bool:
        """A message arrived while the flow is active; False when it is not for this flow."""
        return False

    async def reprompt(self, ctx: TurnContext) -> None:
        """Ask again where the flow stood (after a digression handed back)."""
