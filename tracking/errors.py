"""Errors of the tracking layer.

TrackingError
├── StoreUnavailable   a store (Redis, database) could not be reached or answered an error
└── LockTimeout        a conversation lock could not be taken in time
"""


class TrackingError(Exception):
    """Base of the tracking errors."""


class StoreUnavailable(TrackingError):
    """The backing store failed; raised `from` the driver's error."""


class LockTimeout(TrackingError):
    """Another holder kept the conversation's lock past the wait limit."""
