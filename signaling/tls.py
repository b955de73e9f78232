"""The server's TLS: checked before uvicorn starts, so a bad pair ends in one line, not a trace."""

from __future__ import annotations

import ssl
from pathlib import Path


class TlsConfigError(Exception):
    """The certificate and key cannot serve https; the message says why in one line."""


def check_tls_pair(cert: Path | None, key: Path | None) -> None:
    if (cert is None) != (key is None):
        raise TlsConfigError("--tls-cert and --tls-key go together")
    if cert is None or key is None:
        return
    for path in (cert, key):
        if not path.is_file():
            raise TlsConfigError(f"cannot read {path}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise TlsConfigError(
            f"cannot use {cert} with {key}: {getattr(exc, 'reason', None) or exc}"
        ) from exc


def self_trust(cert: Path) -> ssl.SSLContext:
    """A client context that trusts our own certificate, to fetch the dev JWKS from ourselves.

    The chain file may hold only the leaf, so the leaf itself is accepted as an anchor.
    """
    context = ssl.create_default_context(cafile=str(cert))
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context
