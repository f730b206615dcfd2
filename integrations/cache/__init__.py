"""Cache adapters: in-process (embedded mode) and Redis (production)."""
