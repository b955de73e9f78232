"""Builds the server from its settings: identity, keys, storage, routes, background jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from common.identity_card import CardSigner
from signaling.audit.store import AuditStore
from signaling.dev_idp import DevIdentityProvider
from signaling.directory import Directory, load_directory
from signaling.hub import Hub
from signaling.jwks import JwksCache
from signaling.keys import card_signing_key, dev_idp_key
from signaling.pairing import CodeRegistry
from signaling.redeem_limiter import RedeemLimiter
from signaling.routes.audit import audit_router
from signaling.routes.health import health_router
from signaling.settings import DEV_AUDIENCE, ServerSettings
from signaling.tls import self_trust
from signaling.tokens import TokenValidator
from signaling.turn import IceServerIssuer, read_turn_secret
from signaling.ws import websocket_router

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 24 * 3600


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
        local = settings.base_url.replace("://0.0.0.0", "://127.0.0.1")
        jwks = JwksCache(
            f"{local}/dev-idp/jwks.json",
            min_refresh_seconds=settings.jwks_min_refresh_seconds,
            verify=self_trust(settings.tls_cert) if settings.tls_cert else True,
        )
        provider = DevIdentityProvider(
            directory,
            dev_idp_key(settings.data_dir),
            issuer=settings.dev_issuer,
            audience=DEV_AUDIENCE,
        )
        validator = TokenValidator(
            issuer=provider.issuer, audience=DEV_AUDIENCE, tenant=directory.tenant, jwks=jwks
        )
        return IdentitySetup(directory, validator, provider)
    tenant, audience = settings.entra_tenant_id, settings.entra_audience
    if not tenant or not audience:
        raise ConfigurationError(
            "no identity provider: give --dev-identity FILE, or set HELPLINE_ENTRA_TENANT_ID "
            "and HELPLINE_ENTRA_AUDIENCE"
        )
    entra_directory = load_directory(settings.directory_file) if settings.directory_file else None
    authority = f"https://login.microsoftonline.com/{tenant}"
    jwks = JwksCache(
        f"{authority}/discovery/v2.0/keys", min_refresh_seconds=settings.jwks_min_refresh_seconds
    )
    validator = TokenValidator(
        issuer=f"{authority}/v2.0", audience=audience, tenant=tenant, jwks=jwks
    )
    return IdentitySetup(entra_directory, validator, None)


def create_app(settings: ServerSettings) -> FastAPI:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    turn_secret = read_turn_secret(settings.turn_secret_file) if settings.turn_secret_file else None
    identity = _identity(settings)
    store = AuditStore(settings.db_url)
    signer = CardSigner(card_signing_key(settings.data_dir))
    hub = Hub(
        directory=identity.directory,
        signer=signer,
        codes=CodeRegistry(timedelta(seconds=settings.code_ttl_seconds)),
        limiter=RedeemLimiter(settings.redeem_max_failures, settings.redeem_window_seconds),
        audit=store,
    )
    retention = timedelta(days=settings.audit_retention_days)

    async def purge_forever() -> None:
        while True:
            purged = await asyncio.to_thread(store.purge, datetime.now(UTC) - retention)
            log.info("audit purge removed=%d", purged)
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        purger = asyncio.ensure_future(purge_forever())
        try:
            yield
        finally:
            purger.cancel()
            await hub.shutdown()
            await asyncio.to_thread(store.close_all_open, "server_shutdown")

    app = FastAPI(title="Helpline signaling", lifespan=lifespan)
    app.state.hub = hub
    app.state.audit = store
    app.include_router(health_router(signer.public_key_b64, identity.dev_idp is not None))
    ice = IceServerIssuer(settings.turn_urls, turn_secret, settings.turn_lifetime_seconds)
    app.include_router(websocket_router(hub, identity.validator, settings.allowed_origins, ice))
    app.include_router(audit_router(store, identity.validator, identity.directory))
    if identity.dev_idp is not None:
        app.include_router(identity.dev_idp.router())
    return app
