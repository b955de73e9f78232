"""The device tables against the chain, next to the code, on SQLite and PostgreSQL: what
the server wrote verifies (also after a purge), and each kind of edit is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update

from common.devices.actions import ActionKind, ActionRequest
from common.devices.signing import enroll_request, generate_device_key
from signaling.audit.store import AuditStore
from signaling.database.schema import open_database
from signaling.devices import chain_state
from signaling.devices.models import Device, DeviceAction
from signaling.devices.signer import ActionSigner
from signaling.devices.store import DeviceStore

ERIN, FRANK = "erin@contoso.example", "frank@contoso.example"


@pytest.fixture
def stores(database_url):
    audit = AuditStore(open_database(database_url))
    yield audit, DeviceStore(audit, ActionSigner(Ed25519PrivateKey.generate()))
    audit.engine.dispose()


def _verify(audit: AuditStore) -> str | None:
    return audit.verify(None, checks=(chain_state.chain_check,)).problem


def _setup(devices: DeviceStore) -> tuple[str, str]:
    request = enroll_request(generate_device_key(), name="BOB-PC", os="Linux")
    device = devices.enroll(request, owner="bob@contoso.example", owner_oid="o", groups=["finance"])
    wipe = devices.request(device.id, ActionRequest(action=ActionKind.WIPE, confirm="BOB-PC"), ERIN)
    devices.approve(wipe.id, FRANK)
    return device.id, wipe.id


def test_what_the_server_wrote_verifies_also_after_a_purge(stores):
    audit, devices = stores
    _setup(devices)
    assert _verify(audit) is None
    audit.purge(datetime.now(UTC) + timedelta(seconds=1))
    assert _verify(audit) is None


@pytest.mark.parametrize(
    ("table", "values", "named"),
    [
        (Device, {"groups": ["finance", "hr"]}, "groups"),
        (Device, {"status": "enrolled", "name": "OTHER"}, "name"),
        (DeviceAction, {"approved_by": "mallory@contoso.example"}, "approved_by"),
        (DeviceAction, {"requested_by": FRANK}, "requested_by"),
        (DeviceAction, {"needs_approval": False}, "needs_approval"),
        (DeviceAction, {"parameters": {"keep_user_data": True}}, "parameters"),
    ],
)
def test_each_edit_is_named(stores, table, values, named):
    audit, devices = stores
    _setup(devices)
    with audit.engine.begin() as db:
        db.execute(update(table).values(values))
    problem = _verify(audit)
    assert problem is not None and named in problem, problem
