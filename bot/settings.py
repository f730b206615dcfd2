"""Every setting of shopbot, read from the environment here and nowhere else.

The README's configuration table lists each one. Unset optional services are off: no
`REDIS_URL` means in-process stores; no `TELEGRAM_TOKEN` means no Telegram channel.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    # --- platform -------------------------------------------------------------------
    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'shopbot.db'}",
        description="SQLAlchemy URL; PostgreSQL via postgresql+asyncpg://…",
    )
    redis_url: str | None = Field(default=None, description="Redis URL; unset = in-process stores")
    redis_prefix: str = Field(default="shopbot:", description="prefix of every Redis key")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_format: str = Field(default="text", description="text or json")
    sandbox: bool = Field(default=True, description="sandbox routes and payments (embedded mode)")
    public_url: str | None = Field(default=None, description="public base URL of this server")
    lock_lease_seconds: float = Field(default=30.0, description="Redis conversation lock lease")
    data_dir: Path = Field(default=PROJECT_ROOT / "data")
    var_dir: Path = Field(default=PROJECT_ROOT / "var")

    # --- NLU ------------------------------------------------------------------------
    nlu_model_dir: Path = Field(default=PROJECT_ROOT / "var" / "models" / "nlu")
    nlu_fallback_threshold: float = 0.3

    # --- marketplaces and search -----------------------------------------------------
    demo_platforms: bool = Field(default=True, description="run the three demo platforms")
    demo_platform_transport: str = Field(default="http", description="http (local servers) or asgi (in process)")
    demo_platform_latency_ms: float = 80.0
    demo_platform_jitter_ms: float = 40.0
    demo_platform_failure_rate: float = 0.0
    demo_fulfil_delay_seconds: float = 60.0
    demo_price_walk_seconds: float = Field(default=300.0, description="0 = prices stay still")
    search_deadline_seconds: float = 1.5
    search_cache_ttl_seconds: float = 60.0

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: one process holds every store."""
        return self.redis_url is None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
