"""Settings both apps share, from flags first, then ``HELPLINE_*`` environment variables."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from client.org_config import connection_defaults

DEFAULT_SERVER = "http://127.0.0.1:8765"


def normalise_server_url(value: str) -> str:
    """``127.0.0.1:8765`` is what people type: loopback without a scheme means plain http
    (nothing leaves the machine), any other host https. Other schemes are refused."""
    text = value.strip()
    if "://" not in text:
        host = urlsplit("//" + text).hostname or ""
        text = ("http://" if _is_loopback(host) else "https://") + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"the server URL must start with http:// or https://, not {value!r}")
    if not parts.hostname:
        raise ValueError(f"the server URL has no host: {value!r}")
    return text.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPLINE_", extra="ignore")

    server: str = DEFAULT_SERVER
    user: str | None = None
    # Entra ID sign-in (MSAL public client) when no development user is given.
    entra_client_id: str | None = None
    entra_tenant_id: str | None = None
    entra_scope: str | None = None
    # An OpenID issuer other than Entra's own (a sovereign cloud, or the development
    # provider's ``<server>/dev-idp/v2.0`` in tests); MSAL checks it by discovery.
    entra_authority: str | None = None
    # Where the remembered sign-in is kept: the platform's secret store, a file only the user
    # can read, or nowhere (sign in every time).
    token_cache: Literal["secure", "plaintext", "none"] = "secure"
    # Media.
    max_fps: int = Field(default=30, ge=1, le=60)
    monitor: int = Field(default=1, ge=1)
    # Step the resolution down when the machine or the link cannot keep up.
    adaptive_resolution: bool = True
    # Picture quality (libx264 CRF, lower is better): fast frames while the screen moves,
    # one sharp frame once it is still; and the rate a sharp frame's packets are paced at.
    motion_crf: int = Field(default=28, ge=0, le=51)
    sharp_crf: int = Field(default=26, ge=0, le=51)
    # The sharp picture in full colour resolution (H.264 4:4:4) when the helper decodes it:
    # coloured text stays crisp; a page of it costs about twice the bits of 4:2:0.
    full_chroma: bool = True
    max_send_mbps: float = Field(default=30.0, gt=0)
    # Liveness: the data channel heartbeat notices a vanished peer long before ICE does.
    heartbeat_interval: float = Field(default=1.0, gt=0)
    heartbeat_timeout: float = Field(default=5.0, gt=0)
    # When the signaling server goes away: the first wait before signing in again, doubling
    # up to the cap, for as long as the session lasts.
    reconnect_first_seconds: float = Field(default=0.5, gt=0)
    reconnect_max_seconds: float = Field(default=10.0, gt=0)
    # Remote input is capped so a flood cannot take over the sharer's machine.
    max_input_events_per_second: int = Field(default=500, ge=1)
    # File transfer: the largest file either side sends or accepts, and all files of one
    # session together (both directions), in MB; a larger offer is refused before any byte.
    max_file_mb: float = Field(default=2048, gt=0)
    max_session_files_mb: float = Field(default=8192, gt=0)
    # Field network: "relay" sends media only through the organisation's TURN server.
    ice_policy: Literal["all", "relay"] = "all"
    # With several TURN URLs, how long each may take to give a relay address before the next
    # one is tried (aiortc itself uses only the first).
    turn_probe_seconds: float = Field(default=5.0, gt=0)
    # Trust: a CA bundle for the server's certificate (else helpline.toml's ca_file, else the
    # system store), and the fingerprint of the server's card-signing key (else
    # helpline.toml, else first use). ``server`` too falls back to helpline.toml.
    ca_file: Path | None = None
    server_key: str | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags, then HELPLINE_* variables, then the organisation's helpline.toml."""
        organisation = InitSettingsSource(settings_cls, init_kwargs=connection_defaults())
        return (init_settings, env_settings, dotenv_settings, organisation, file_secret_settings)

    @field_validator("server")
    @classmethod
    def _server_url(cls, value: str) -> str:
        return normalise_server_url(value)

    @property
    def ws_url(self) -> str:
        if self.server.startswith("https://"):
            return "wss://" + self.server.removeprefix("https://") + "/v1/ws"
        return "ws://" + self.server.removeprefix("http://") + "/v1/ws"
