"""In-memory adapters, one home: the twins of the real adapters (tests, scripts, the embedded default)."""
