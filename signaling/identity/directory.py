"""Who is who: users, their roles and groups, from the directory file (TOML).

In development the file also is the identity provider's user list; with Entra ID it only
adds roles and groups to users that Entra has already authenticated.
"""

from __future__ import annotations

import tomllib
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from common.permissions import Permission
from common.text_fields import DisplayText, ShortText
from common.validation import first_error

_OID_NAMESPACE = uuid.UUID("5b0f6f3e-7c1e-4c55-9a7e-3f1f3b6c2a10")


class DirectoryError(Exception):
    """The directory file cannot be used; the message says why in one line."""


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")

    permissions: list[Permission] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upn: ShortText = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    name: DisplayText = Field(min_length=1)
    company: DisplayText = ""
    job_title: DisplayText = ""
    roles: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    oid: str | None = Field(default=None, max_length=64)

    @property
    def domain(self) -> str:
        return self.upn.rsplit("@", 1)[1].lower()


class DevicePolicy(BaseModel):
    """``[devices]``: whether devices that did not enrol get live help, and the groups every
    enrolled device has besides its owner's (roles are scoped to a device's groups)."""

    model_config = ConfigDict(extra="forbid")

    allow_unenrolled: bool = True
    groups: list[str] = Field(default_factory=list)


class Directory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str = Field(min_length=1, max_length=256)
    verified_domains: list[str] = Field(default_factory=list)
    roles: dict[str, Role] = Field(default_factory=dict)
    users: list[User] = Field(default_factory=list)
    devices: DevicePolicy = Field(default_factory=DevicePolicy)
    # Every sign-in looks a user up: by dictionary, not by a scan (and a hash) per user.
    _by_oid: dict[str, User] = PrivateAttr(default_factory=dict)
    _by_upn: dict[str, User] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Directory:
        for user in self.users:
            if user.upn.lower() in self._by_upn:
                raise ValueError(f"user {user.upn} is listed twice")
            self._by_upn[user.upn.lower()] = user
            self._by_oid.setdefault(self.oid_of(user), user)
            for role in user.roles:
                if role not in self.roles:
                    raise ValueError(f"user {user.upn} has unknown role {role!r}")
        return self

    def oid_of(self, user: User) -> str:
        """Entra's object id when the file gives one; a stable made-up one otherwise."""
        return user.oid or str(uuid.uuid5(_OID_NAMESPACE, f"{self.tenant}/{user.upn.lower()}"))

    def by_upn(self, upn: str) -> User | None:
        return self._by_upn.get(upn.lower())

    def by_oid(self, oid: str) -> User | None:
        return self._by_oid.get(oid)

    def permissions_of(self, user: User) -> frozenset[Permission]:
        return frozenset(p for r in user.roles for p in self.roles[r].permissions)

    def verified_domain_of(self, upn: str) -> str:
        domain = upn.rsplit("@", 1)[-1].lower()
        return domain if domain in {d.lower() for d in self.verified_domains} else ""


def load_directory(path: Path) -> Directory:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise DirectoryError(f"cannot read identity file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DirectoryError(f"identity file {path} is not valid TOML: {exc}") from exc
    try:
        return Directory.model_validate(data)
    except ValidationError as exc:
        raise DirectoryError(f"identity file {path} is invalid at {first_error(exc)}") from exc
