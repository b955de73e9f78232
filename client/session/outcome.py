"""How a run of an app ended, as the exit status scripts see (the README documents them).

Scripts must tell apart "the session happened", "someone said no" and "something broke"
without parsing events, so each end reason and each refusal maps to exactly one status.
"""

from __future__ import annotations

from enum import IntEnum

from common.protocol import EndReason, ErrorCode


class ExitStatus(IntEnum):
    ENDED = 0  # a session ran and ended normally, or the user stopped before one began
    FAILED = 1  # connection failed, signaling lost, peer gone, no screen, cannot sign in
    USAGE = 2  # a bad flag or setting (argparse's own status)
    REFUSED = 3  # forbidden, wrong code, out of scope, rate limited, declined, identity check


# The server's answers that mean "no" to what we asked, rather than "cannot".
REFUSALS = frozenset(
    {
        ErrorCode.FORBIDDEN,
        ErrorCode.INVALID_CODE,
        ErrorCode.RATE_LIMITED,
        ErrorCode.OUT_OF_SCOPE,
        ErrorCode.UNAUTHENTICATED,
        ErrorCode.INVALID_TOKEN,
        ErrorCode.TOKEN_EXPIRED,
    }
)

STATUS_BY_REASON: dict[EndReason, ExitStatus] = {
    EndReason.HELPER_ENDED: ExitStatus.ENDED,
    EndReason.SHARER_ENDED: ExitStatus.ENDED,
    EndReason.DECLINED: ExitStatus.REFUSED,
    EndReason.IDENTITY_MISMATCH: ExitStatus.REFUSED,
    EndReason.HELPER_DISCONNECTED: ExitStatus.FAILED,
    EndReason.SHARER_DISCONNECTED: ExitStatus.FAILED,
    EndReason.PEER_TIMEOUT: ExitStatus.FAILED,
    EndReason.CODE_EXPIRED: ExitStatus.FAILED,
    EndReason.HELP_EXPIRED: ExitStatus.FAILED,
    EndReason.CONNECTION_FAILED: ExitStatus.FAILED,
    EndReason.SERVER_SHUTDOWN: ExitStatus.FAILED,
    EndReason.SIGNALING_LOST: ExitStatus.FAILED,
    EndReason.ERROR: ExitStatus.FAILED,
    # A session that ran to the organisation's limits ended as it should.
    EndReason.TIME_LIMIT: ExitStatus.ENDED,
    EndReason.IDLE_TIMEOUT: ExitStatus.ENDED,
    EndReason.CONSENT_TIMEOUT: ExitStatus.REFUSED,
}


def exit_status_for(reason: EndReason | None, refusal: ErrorCode | None) -> ExitStatus:
    """A refusal outweighs the user closing the app afterwards: no session ever ran."""
    if refusal is not None:
        return ExitStatus.REFUSED
    if reason is None:
        return ExitStatus.FAILED
    return STATUS_BY_REASON[reason]
