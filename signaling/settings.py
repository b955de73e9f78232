"""Server settings: ``HELPLINE_*`` environment variables, overridden by command-line flags."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.devices.agent_protocol import DEFAULT_CHECK_IN_SECONDS

DEV_AUDIENCE = "api://helpline-dev"


class Migrate(StrEnum):
    """What the server does at start-up with a database behind its version's schema."""

    AUTO = "auto"  # upgrade it (adopting one made before migrations)
    NEVER = "never"  # refuse to start until ``helpline-signaling db upgrade`` has run


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPLINE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("helpline")))
    # Development identity provider: only when a directory file is given explicitly.
    dev_identity: Path | None = None
    # Entra ID: tenant and the audience (application ID URI) of the Helpline API.
    entra_tenant_id: str | None = None
    entra_audience: str | None = None
    # Where Entra's issuer and keys live; other values are for sovereign clouds and tests.
    entra_authority: str = "https://login.microsoftonline.com"
    # Roles and groups for Entra users (same TOML format as the development directory).
    directory_file: Path | None = None
    database_url: str | None = None
    migrate: Migrate = Migrate.AUTO
    # Several replicas behind one load balancer share codes, limits, liveness and the relay
    # here (redis://host:port/db); without it one process keeps them in memory.
    redis_url: str | None = None
    # Connections to it per replica, for codes and relay (and as many for the redeem limits).
    redis_max_connections: int = Field(default=32, ge=2)
    # How often a replica says it is alive; one silent for three periods is taken for dead.
    replica_heartbeat_seconds: float = Field(default=1.0, gt=0)
    # The address clients use to reach us; the development issuer and JWKS URL derive from it.
    public_url: str | None = None
    allowed_origins: list[str] = Field(default_factory=list)
    code_ttl_seconds: int = Field(default=600, ge=1)
    # How long an enrolled device has to answer a help request before it is ``help_expired``.
    help_request_seconds: float = Field(default=60.0, gt=0)
    redeem_max_failures: int = Field(default=5, ge=1)  # per account
    redeem_max_failures_per_address: int = Field(default=100, ge=1)
    max_codes_per_account: int = Field(default=3, ge=1)
    redeem_window_seconds: int = Field(default=300, ge=1)
    audit_retention_days: int = Field(default=30, ge=1)
    audit_purge_interval_seconds: float = Field(default=24 * 3600, gt=0)
    # The chain's head is signed at least every so many events, and this often when it moved.
    audit_checkpoint_every: int = Field(default=100, ge=1)
    audit_checkpoint_seconds: float = Field(default=60.0, gt=0)
    # Refusals summed in memory (past the first few of a window) are written this often.
    audit_summary_flush_seconds: float = Field(default=10.0, gt=0)
    # Free space on the SQLite audit's disk: below warn MiB said (log, /healthz), below
    # refuse MiB new sessions are refused.
    audit_disk_warn_mib: int = Field(default=1024, ge=0)
    audit_disk_refuse_mib: int = Field(default=64, ge=0)
    # Written once start-up (including the first audit purge) is done: {"url", "port", "pid"}.
    ready_file: Path | None = None
    jwks_min_refresh_seconds: float = Field(default=30.0, ge=0)
    # Proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Connections that have not sent a whole HTTP request yet (see signaling.admission).
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    max_waiting_per_address: int = Field(default=32, ge=1)
    max_waiting_total: int = Field(default=512, ge=1)
    # Open websockets, and how long one may stay silent before its hello.
    max_websockets_per_address: int = Field(default=500, ge=1)
    max_websockets_total: int = Field(default=5000, ge=1)
    hello_timeout_seconds: float = Field(default=15.0, gt=0)
    # The organisation's STUN/TURN (stun:, turn:, turns: URLs) and coturn's static-auth-secret.
    turn_urls: list[str] = Field(default_factory=list)
    turn_secret_file: Path | None = None
    turn_lifetime_seconds: int = Field(default=3600, ge=60)
    # After a restart: how long a session's resume token lasts (sessions longer than that are
    # not carried on), and how long a side that is back waits for the other one.
    resume_token_lifetime_seconds: int = Field(default=12 * 3600, ge=60)
    resume_wait_seconds: float = Field(default=120.0, gt=0)
    # https and wss: a PEM certificate chain and its private key.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # The console (signaling.console): its Entra app registration for the sign-in (authorisation
    # code with PKCE; a secret only for a "Web" platform registration), and how long a console
    # session lasts without a request and at most.
    console_client_id: str | None = None
    console_client_secret_file: Path | None = None
    console_idle_minutes: int = Field(default=30, ge=1)
    console_absolute_hours: int = Field(default=8, ge=1)
    # The organisation's time limits on sessions (none by default; fractions are fine): the
    # longest session, a consent request nobody answers, and a session where nothing happens.
    max_session_minutes: float | None = Field(default=None, gt=0)
    consent_timeout_seconds: float | None = Field(default=None, gt=0)
    idle_timeout_minutes: float | None = Field(default=None, gt=0)
    # A control request the sharer does not answer in this time is denied for them.
    control_request_timeout_seconds: float | None = Field(default=None, gt=0)
    # Whether a helper may save a picture of the sharer's screen (the sharer is always told).
    allow_snapshots: bool = True
    # How often a device agent checks in when nothing happens (it is told at each check-in).
    device_check_in_seconds: int = Field(default=DEFAULT_CHECK_IN_SECONDS, ge=1)
    # Devices an account without the `actions` permission may hold enrolled (its own
    # machines); device admins enrol fleets. Every account's enrolments are rate-limited.
    max_devices_per_account: int = Field(default=5, ge=1)
    enrolments_per_minute: int = Field(default=10, ge=1)

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls_cert else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host  # IPv6 in a URL
        return (self.public_url or f"{scheme}://{host}:{self.port}").rstrip("/")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'helpline.db'}"

    @property
    def dev_issuer(self) -> str:
        return f"{self.base_url}/dev-idp/v2.0"
