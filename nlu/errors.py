"""The NLU layer's exceptions.

    NluError                 base of everything nlu/ raises on purpose
    ├── NluDataError         training / test data that Rasa would reject (message: file:line: reason)
    └── ModelError           a model directory that is missing, incomplete or unreadable
"""

from __future__ import annotations


class NluError(Exception):
    """Base class of the NLU layer's errors."""


class NluDataError(NluError):
    """Invalid NLU training data; the message names the file, the line and the reason."""


class ModelError(NluError):
    """A trained model that cannot be loaded."""
