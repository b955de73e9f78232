"""Settings both apps share, from flags first, then ``HELPLINE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPLINE_", extra="ignore")

    server: str = "http://127.0.0.1:8765"
    user: str | None = None
    # Entra ID sign-in (MSAL public client) when no development user is given.
    entra_client_id: str | None = None
    entra_tenant_id: str | None = None
    entra_scope: str | None = None
    # Media.
    max_fps: int = Field(default=30, ge=1, le=60)
    monitor: int = Field(default=1, ge=1)
    # Step the resolution down when the machine or the link cannot keep up.
    adaptive_resolution: bool = True
    # Liveness: the data channel heartbeat notices a vanished peer long before ICE does.
    heartbeat_interval: float = Field(default=1.0, gt=0)
    heartbeat_timeout: float = Field(default=5.0, gt=0)
    # Remote input is capped so a flood cannot take over the sharer's machine.
    max_input_events_per_second: int = Field(default=500, ge=1)
    # Field network: "relay" sends media only through the organisation's TURN server.
    ice_policy: Literal["all", "relay"] = "all"
    # Trust: a CA bundle for the server's certificate (else the system store), and the
    # fingerprint of the server's card-signing key (else helpline.toml, else first use).
    ca_file: Path | None = None
    server_key: str | None = None

    @property
    def ws_url(self) -> str:
        base = self.server.rstrip("/")
        if base.startswith("https://"):
            return "wss://" + base.removeprefix("https://") + "/v1/ws"
        return "ws://" + base.removeprefix("http://") + "/v1/ws"
