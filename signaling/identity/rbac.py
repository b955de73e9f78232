"""Roles scoped to device groups: who may help whom, and with what."""

from __future__ import annotations

from dataclasses import dataclass

from common.permissions import Permission
from signaling.identity.directory import Directory, User
from signaling.identity.tokens import Principal


@dataclass(frozen=True)
class Account:
    """A verified principal with what the directory says about it."""

    principal: Principal
    user: User | None
    permissions: frozenset[Permission]

    @property
    def key(self) -> str:
        """Who this is, for counting: (tenant, object id), never a name or an e-mail."""
        return f"{self.principal.tenant}/{self.principal.oid}"

    @property
    def upn(self) -> str:
        return self.user.upn if self.user else self.principal.upn

    @property
    def name(self) -> str:
        return self.user.name if self.user else self.principal.name

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(self.user.groups) if self.user else frozenset()


def account_for(principal: Principal, directory: Directory | None) -> Account:
    user = directory.by_oid(principal.oid) if directory else None
    permissions = directory.permissions_of(user) if directory and user else frozenset()
    return Account(principal=principal, user=user, permissions=permissions)


ALL_SCOPES = "*"


def scopes_for(
    account: Account, permission: Permission, directory: Directory | None
) -> frozenset[str]:
    """The device groups over which the account's roles grant ``permission`` (``*``: all)."""
    if directory is None or account.user is None:
        return frozenset()
    return frozenset(
        scope
        for role_name in account.user.roles
        if permission in directory.roles[role_name].permissions
        for scope in directory.roles[role_name].scopes
    )


def permissions_over(
    helper: Account, groups: frozenset[str], directory: Directory | None
) -> frozenset[Permission]:
    """The helper's permissions from the roles whose scopes cover one of these device groups
    (a proven device's groups, or an unenrolled sharer's own); ``*`` covers every group."""
    if directory is None or helper.user is None:
        return frozenset()
    return frozenset(
        permission
        for role_name in roles_over(helper.user, groups, directory)
        for permission in directory.roles[role_name].permissions
    )


def roles_over(user: User, groups: frozenset[str], directory: Directory) -> list[str]:
    """The user's roles whose scopes cover one of these device groups, in the file's order."""
    return [
        name
        for name in user.roles
        if ALL_SCOPES in directory.roles[name].scopes or set(directory.roles[name].scopes) & groups
    ]
