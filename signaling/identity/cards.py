"""The helper's identity card, assembled from the verified account and the directory."""

from __future__ import annotations

from datetime import UTC, datetime

from common.identity_card import IdentityCard
from signaling.identity.directory import Directory
from signaling.identity.rbac import Account


def card_for(
    helper: Account, *, session_id: str, dtls_fingerprint: str, directory: Directory | None
) -> IdentityCard:
    """What the sharer is shown: only directory facts and token claims, never client text."""
    user = helper.user
    return IdentityCard(
        name=helper.name,
        upn=helper.upn,
        company=user.company if user else "",
        verified_domain=directory.verified_domain_of(helper.upn) if directory else "",
        job_title=user.job_title if user else "",
        tenant=helper.principal.tenant,
        session_id=session_id,
        dtls_fingerprint=dtls_fingerprint,
        issued_at=datetime.now(UTC),
    )
