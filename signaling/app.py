"""Builds the server from its settings: identity, keys, storage, routes, background jobs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import redis
import redis.asyncio
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from common.identity_card import CardSigner
from common.protocol import EndReason
from signaling.admission import SocketRules, WebSocketBudget
from signaling.audit.anchor import AnchorFile
from signaling.audit.disk_guard import DiskGuard
from signaling.audit.models import SERVER_RESTART
from signaling.audit.recorder import AuditRecorder, AuditUnavailable
from signaling.audit.retention import purge_periodically
from signaling.audit.store import AuditStore
from signaling.audit.timers import repeat
from signaling.console.context import Console
from signaling.console.install import install_console
from signaling.console.oidc import EntraConsoleClient, OidcSignIn
from signaling.console.session_store import ConsoleSessions
from signaling.database.schema import open_database
from signaling.devices.agent_ws import agent_router
from signaling.devices.pushes import DevicePushes
from signaling.devices.routes import devices_router
from signaling.devices.service import DeviceService, EnrolmentLimits
from signaling.devices.signer import ActionSigner
from signaling.devices.store import DeviceStore
from signaling.identity.auth import Authenticator
from signaling.identity.dev_idp import LOOPBACK_HOSTS, DevIdentityProvider
from signaling.identity.dev_oidc import DevOpenIdEndpoints
from signaling.identity.directory import Directory, load_directory
from signaling.identity.jwks import JwksCache
from signaling.identity.tokens import TokenValidator
from signaling.keys import card_signing_key, dev_idp_key
from signaling.pairing.device_help import DeviceHelp
from signaling.pairing.hub import Hub
from signaling.pairing.redeem_limiter import RedeemLimiter, limit_storage
from signaling.pairing.remote import ReplicaLink
from signaling.pairing.resume_tokens import ResumeTokens
from signaling.pairing.session_limits import SessionPolicy, TimeLimits
from signaling.routes.audit import audit_router
from signaling.routes.health import health_router
from signaling.settings import DEV_AUDIENCE, ServerSettings
from signaling.state.codes import CodeStore, MemoryCodes
from signaling.state.redis_codes import RedisCodes
from signaling.state.replicas import ReplicaRegistry, TrackedAuditRecorder
from signaling.turn import IceServerIssuer, read_turn_secret
from signaling.ws import websocket_router

log = logging.getLogger(__name__)


class ConfigurationError(Exception):
    """The server cannot start with these settings; the message says why in one line."""


@dataclass(frozen=True)
class IdentitySetup:
    directory: Directory | None
    validator: TokenValidator
    dev_idp: DevIdentityProvider | None


def _identity(settings: ServerSettings) -> IdentitySetup:
    if settings.dev_identity is not None:
        directory = load_directory(settings.dev_identity)
        provider = DevIdentityProvider(
            directory,
            dev_idp_key(settings.data_dir),
            issuer=settings.dev_issuer,
            audience=DEV_AUDIENCE,
            allowed_hosts=LOOPBACK_HOSTS | {urlsplit(settings.base_url).hostname or ""},
        )
        validator = TokenValidator(
            issuer=provider.issuer, audience=DEV_AUDIENCE, tenant=directory.tenant, jwks=provider
        )
        return IdentitySetup(directory, validator, provider)
    tenant, audience = settings.entra_tenant_id, settings.entra_audience
    if not tenant or not audience:
        raise ConfigurationError(
            "no identity provider: give --dev-identity FILE, or set HELPLINE_ENTRA_TENANT_ID "
            "and HELPLINE_ENTRA_AUDIENCE"
        )
    entra_directory = load_directory(settings.directory_file) if settings.directory_file else None
    authority = f"{settings.entra_authority.rstrip('/')}/{tenant}"
    jwks = JwksCache(
        f"{authority}/discovery/v2.0/keys", min_refresh_seconds=settings.jwks_min_refresh_seconds
    )
    validator = TokenValidator(
        issuer=f"{authority}/v2.0", audience=audience, tenant=tenant, jwks=jwks
    )
    return IdentitySetup(entra_directory, validator, None)


@dataclass(frozen=True)
class SharedState:
    codes: CodeStore
    recorder: AuditRecorder
    link: ReplicaLink | None


@dataclass(frozen=True)
class RedisClients:
    shared: redis.asyncio.Redis  # codes, relay and the audit's bookkeeping
    beats: redis.Redis  # the heartbeat, from its own thread


def _reach_redis(settings: ServerSettings) -> RedisClients | None:
    """The Redis replicas share (HELPLINE_REDIS_URL), checked before the database is touched;
    None for one process keeping everything in memory."""
    if settings.redis_url is None:
        return None
    where = urlsplit(settings.redis_url)
    if where.scheme not in ("redis", "rediss", "unix"):
        raise ConfigurationError("HELPLINE_REDIS_URL must be a redis://, rediss:// or unix:// URL")
    beats = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5, socket_timeout=5)
    try:
        beats.ping()
    except (redis.RedisError, ValueError) as exc:
        # The URL may carry a password: name only where we tried.
        raise ConfigurationError(
            f"cannot reach Redis at {where.hostname}:{where.port or 6379}: {type(exc).__name__}"
        ) from None
    # A bounded pool: a thousand sessions at once wait for a connection, not open a thousand.
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        settings.redis_url, max_connections=settings.redis_max_connections, decode_responses=True
    )
    return RedisClients(redis.asyncio.Redis(connection_pool=pool), beats)


def _disk_guard(settings: ServerSettings) -> DiskGuard:
    """The SQLite file's folder is watched; another database is watched where it runs."""
    url = make_url(settings.db_url)
    sqlite = url.get_backend_name() == "sqlite"
    folder = Path(url.database).parent if sqlite and url.database else None
    return DiskGuard(
        folder, warn_mib=settings.audit_disk_warn_mib, refuse_mib=settings.audit_disk_refuse_mib
    )


def _shared_state(
    settings: ServerSettings,
    clients: RedisClients | None,
    store: AuditStore,
    directory: Directory | None,
) -> SharedState:
    """In memory for one process; in Redis when replicas share it."""
    ttl = timedelta(seconds=settings.code_ttl_seconds)
    window = settings.redeem_window_seconds
    disk = _disk_guard(settings)
    if clients is None:
        recorder = AuditRecorder(store, summary_window_seconds=window, disk=disk)
        return SharedState(MemoryCodes(ttl), recorder, None)
    client = clients.shared
    replica = uuid.uuid4().hex[:12]
    registry = ReplicaRegistry(client, clients.beats, replica, settings.replica_heartbeat_seconds)
    tracked = TrackedAuditRecorder(store, registry, summary_window_seconds=window, disk=disk)
    codes = RedisCodes(client, ttl, replica)
    link = ReplicaLink(
        redis=client,
        registry=registry,
        codes=codes,
        audit=tracked,
        directory=directory,
        heartbeat_seconds=settings.replica_heartbeat_seconds,
        resume_wait_seconds=settings.resume_wait_seconds,
    )
    log.info("replica of a group sharing Redis replica=%s", replica)
    return SharedState(codes, tracked, link)


def _make_private(data_dir: Path) -> None:
    """The audit and the keys are for this account only: folder 0700, files 0600.

    The command line's umask covers what SQLite creates later (the WAL and shared-memory
    files); this fixes what an older version or another tool left readable.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    for path in data_dir.iterdir():
        if path.is_file():
            path.chmod(0o600)


def _console_sign_in(settings: ServerSettings) -> OidcSignIn | None:
    """The console's Entra sign-in, when its app registration is configured."""
    if settings.dev_identity is not None or not settings.console_client_id:
        return None
    secret_file = settings.console_client_secret_file
    try:
        secret = secret_file.read_text().strip() if secret_file else None
    except OSError as exc:
        raise ConfigurationError(f"cannot read {secret_file}: {exc.strerror}") from None
    client = EntraConsoleClient(
        authority=f"{settings.entra_authority.rstrip('/')}/{settings.entra_tenant_id}",
        client_id=settings.console_client_id,
        redirect_uri=f"{settings.base_url}/console/auth/callback",
        scope=f"openid profile {settings.entra_audience}/.default",
        client_secret=secret or None,
    )
    return OidcSignIn(client)


def _write_ready_file(path: Path, url: str, port: int) -> None:
    """Say, atomically, that start-up is done and where we listen (the port may have been 0)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"url": url, "port": port, "pid": os.getpid()}))
    partial.replace(path)


def create_app(settings: ServerSettings) -> FastAPI:
    _make_private(settings.data_dir)
    turn_secret = read_turn_secret(settings.turn_secret_file) if settings.turn_secret_file else None
    ice = IceServerIssuer(settings.turn_urls, turn_secret, settings.turn_lifetime_seconds)
    identity = _identity(settings)
    server_key = card_signing_key(settings.data_dir)
    redis_clients = _reach_redis(settings)
    # Last of the checks: a server that cannot start never migrates the database.
    database = open_database(settings.db_url, settings.migrate)
    store = AuditStore(
        database,
        signing_key=server_key,
        anchor=AnchorFile(settings.data_dir),
        checkpoint_every=settings.audit_checkpoint_every,
    )
    shared = _shared_state(settings, redis_clients, store, identity.directory)
    recorder, link = shared.recorder, shared.link
    auth = Authenticator(identity.validator, identity.directory)
    # Attempts counted in windows (redeems, enrolments): here, or in the replicas' Redis.
    attempts = limit_storage(settings.redis_url, settings.redis_max_connections)
    pushes = DevicePushes(redis_clients.shared) if redis_clients is not None else None
    devices = DeviceService(
        DeviceStore(store, ActionSigner(server_key)),
        identity.directory,
        check_in_seconds=settings.device_check_in_seconds,
        limits=EnrolmentLimits(
            max_devices_per_account=settings.max_devices_per_account,
            per_minute=settings.enrolments_per_minute,
            attempts=attempts,
        ),
        pushes=pushes,
    )
    signer = CardSigner(server_key)
    device_help = DeviceHelp(devices)
    hub = Hub(
        directory=identity.directory,
        signer=signer,
        codes=shared.codes,
        limiter=RedeemLimiter(
            max_per_account=settings.redeem_max_failures,
            max_per_address=settings.redeem_max_failures_per_address,
            window_seconds=settings.redeem_window_seconds,
            storage=attempts,
        ),
        audit=recorder,
        max_codes_per_account=settings.max_codes_per_account,
        resume_tokens=ResumeTokens(server_key, settings.resume_token_lifetime_seconds),
        resume_wait_seconds=settings.resume_wait_seconds,
        link=link,
        policy=SessionPolicy(
            TimeLimits.from_settings(
                max_session_minutes=settings.max_session_minutes,
                consent_timeout_seconds=settings.consent_timeout_seconds,
                idle_timeout_minutes=settings.idle_timeout_minutes,
                control_request_timeout_seconds=settings.control_request_timeout_seconds,
            ),
            snapshots=settings.allow_snapshots,
        ),
        device_help=device_help,
        help_request_seconds=settings.help_request_seconds,
    )
    retention = timedelta(days=settings.audit_retention_days)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Another live replica's open records are its own; only when none is alive are open
        # records leftovers of a run that ended without closing them.
        alone = await link.start(hub) if link is not None else True
        if pushes is not None:
            await pushes.start(devices)
        try:
            left_open = await recorder.close_all_open(SERVER_RESTART) if alone else 0
            if left_open:
                log.warning("closed audit records a previous run left open count=%d", left_open)
            purged = await recorder.purge(datetime.now(UTC) - retention)
            log.info("audit purge removed=%d", purged)
        except AuditUnavailable:
            log.error("the audit cannot be written: new sessions are refused until it can")
        timers = [
            asyncio.ensure_future(
                purge_periodically(recorder, retention, settings.audit_purge_interval_seconds)
            ),
            asyncio.ensure_future(repeat(settings.audit_checkpoint_seconds, recorder.checkpoint)),
            asyncio.ensure_future(
                repeat(settings.audit_summary_flush_seconds, recorder.flush_summaries)
            ),
        ]
        recorder.disk.reading()  # a disk already low is said at start-up

        async def watch_disk() -> None:  # said in the log also while nobody connects
            recorder.disk.reading()

        timers.append(asyncio.ensure_future(repeat(settings.audit_checkpoint_seconds, watch_disk)))
        if settings.ready_file is not None:
            _write_ready_file(settings.ready_file, settings.base_url, settings.port)
        try:
            yield
        finally:
            for timer in timers:
                timer.cancel()
            with contextlib.suppress(AuditUnavailable):  # counts a kill would lose, too
                await recorder.flush_summaries(final=True)
            await hub.shutdown()
            if pushes is not None:
                await pushes.stop()
            if link is not None:
                await link.stop()  # after the ends it tells other replicas' participants
            else:
                with contextlib.suppress(AuditUnavailable):  # closed at the next start instead
                    await recorder.close_all_open(EndReason.SERVER_SHUTDOWN.value)
            database.dispose()

    app = FastAPI(title="Helpline signaling", lifespan=lifespan)
    app.include_router(
        health_router(
            signer.public_key_b64,
            identity.dev_idp is not None,
            lambda: recorder.writable,
            recorder.disk.reading,
            lambda: link is not None and link.cut_off,
        )
    )
    rules = SocketRules(
        allowed_origins=settings.allowed_origins,
        hello_timeout_seconds=settings.hello_timeout_seconds,
        budget=WebSocketBudget(
            per_address=settings.max_websockets_per_address,
            total=settings.max_websockets_total,
        ),
        ice=ice,
    )
    app.include_router(websocket_router(hub, auth, signer.public_key_b64, rules, devices))
    app.include_router(audit_router(recorder, auth))
    app.include_router(devices_router(devices, auth))
    app.include_router(agent_router(devices, rules))
    if identity.dev_idp is not None:
        app.include_router(identity.dev_idp.router())
        app.include_router(DevOpenIdEndpoints(identity.dev_idp).router())
    console = Console(
        auth=auth,
        devices=devices,
        device_help=device_help,
        recorder=recorder,
        verify_key=server_key.public_key(),
        sessions=ConsoleSessions(
            idle_seconds=settings.console_idle_minutes * 60,
            absolute_seconds=settings.console_absolute_hours * 3600,
        ),
        dev_idp=identity.dev_idp,
        oidc=_console_sign_in(settings),
        secure_cookies=settings.base_url.startswith("https://"),
    )
    install_console(app, console)
    return app
