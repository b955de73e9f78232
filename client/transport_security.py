"""How the apps talk to the server safely: verified TLS, and no token over plain http.

The bearer token is the user's identity for an hour; sent over plain http it is readable by
anyone on the path, so only a loopback address (a developer's own machine) may go without TLS.
Certificates are checked against the system store, or the organisation's CA given by
``--ca-file``; a failure becomes one sentence that says what to do.
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path
from urllib.parse import urlsplit


class InsecureServerError(Exception):
    """The URL would expose the token, or its certificate is not trusted."""


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_safe_for_token(url: str) -> None:
    """Refuse before any byte is sent: plain http/ws is only for loopback addresses."""
    parts = urlsplit(url)
    if parts.scheme in ("https", "wss"):
        return
    host = parts.hostname or ""
    if parts.scheme in ("http", "ws") and _is_loopback(host):
        return
    raise InsecureServerError(
        f"refusing to send a sign-in token to {parts.scheme}://{host}: "
        "use the server's https:// address (plain http is only for this machine)"
    )


def client_tls(ca_file: Path | None) -> ssl.SSLContext:
    """The system store, or only the organisation's CA when one is given."""
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise InsecureServerError(f"cannot use the CA file {ca_file}: {exc}") from exc


def explain_tls_failure(exc: BaseException) -> str | None:
    """A sentence for a certificate problem found anywhere in ``exc``'s chain, else None."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return (
                "the server's certificate is not trusted "
                f"({seen.verify_message or 'verification failed'}); "
                "if your organisation uses its own CA, give it with --ca-file"
            )
        seen = seen.__cause__ or seen.__context__
    return None
