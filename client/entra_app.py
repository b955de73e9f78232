"""One MSAL application per process, over a token cache that outlives it.

Without this every reconnect, every ``helpline-helper action`` and the *Devices…* window
signed in again: MSAL keeps its accounts and refresh tokens in its application's cache, and
a new application with a new in-memory cache has none. The cache is persisted by
msal-extensions in the platform's secret store (DPAPI on Windows, the Keychain on macOS,
libsecret on Linux); where there is none, sign-in refuses unless the user chose the
plaintext file (mode 0600) with ``HELPLINE_TOKEN_CACHE=plaintext``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs

from client.settings import AppSettings

# (message, verification URL, user code): where the device-code sign-in's instructions go.
DeviceCodePrompt = Callable[[str, str, str], None]
CACHE_FILE = "entra-token-cache.bin"


class TokenStoreError(Exception):
    """The remembered sign-in cannot be kept safely here; the message says what to do."""


def token_cache_path() -> Path:
    return Path(platformdirs.user_data_dir("helpline")) / CACHE_FILE


def _plaintext_file(path: Path) -> None:
    """The plaintext cache is the user's alone: folder 0700, file 0600, before any token."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    path.chmod(0o600)


def _token_cache(mode: str, path: Path) -> Any:
    import msal
    from msal_extensions import FilePersistence, PersistedTokenCache, build_encrypted_persistence

    if mode == "none":
        return msal.SerializableTokenCache()
    if mode == "plaintext":
        _plaintext_file(path)
        return PersistedTokenCache(FilePersistence(str(path)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return PersistedTokenCache(build_encrypted_persistence(str(path)))
    except Exception as exc:  # each platform's store fails in its own way (ImportError, OSError…)
        raise TokenStoreError(
            "no secure store for the remembered sign-in on this machine (libsecret, the "
            "Keychain or DPAPI); set HELPLINE_TOKEN_CACHE=plaintext to keep it in a file only "
            "you can read, or HELPLINE_TOKEN_CACHE=none to sign in every time"
        ) from exc


@functools.cache
def _application(
    client_id: str, authority: str, oidc: bool, cache_mode: str, cache_path: Path, ca: str | None
) -> Any:
    import msal  # imported here: only Entra sign-in needs it
    import requests

    http = requests.Session()
    # Per request, so that REQUESTS_CA_BUNDLE in the environment cannot override the
    # organisation's CA (requests lets it override a session-wide ``verify``).
    http.request = functools.partial(http.request, verify=ca or True, timeout=30)  # type: ignore[method-assign]
    return msal.PublicClientApplication(
        client_id,
        **({"oidc_authority": authority} if oidc else {"authority": authority}),
        token_cache=_token_cache(cache_mode, cache_path),
        http_client=http,
    )


def entra_app(settings: AppSettings) -> Any:
    """The process's MSAL application for these settings (the same one on every call)."""
    oidc = settings.entra_authority is not None
    authority = settings.entra_authority or (
        f"https://login.microsoftonline.com/{settings.entra_tenant_id}"
    )
    return _application(
        settings.entra_client_id or "",
        authority,
        oidc,
        settings.token_cache,
        token_cache_path(),
        str(settings.ca_file) if settings.ca_file else None,
    )
