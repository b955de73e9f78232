"""The device agent's own settings, from ``HELPLINE_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AgentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPLINE_", extra="ignore")

    # How long a postponed restart waits; the person may postpone once.
    restart_postpone_seconds: float = Field(default=3600, ge=0)
    # Reconnecting: 1 s after a drop, doubling up to this.
    agent_max_backoff_seconds: float = Field(default=60, gt=0)
