"""Data-channel text that is not UTF-8 is handed to our parsers as bytes, not left to kill
the link.

aiortc decodes every text message (SCTP payload type "WebRTC String") with ``bytes.decode``
inside its DTLS receive loop; one message that is not UTF-8 raises there, the loop dies
with a traceback, and media, input and heartbeats all stop: the session ends five seconds
later as ``peer_timeout``. A misbehaving peer must cost one refused message instead (the
fuzz suite in tests/adversarial found this). So such a message is delivered as binary: the
one place that validates peer messages and input events refuses it, and the sharer counts
it as blocked input like any other invalid event.
"""

from __future__ import annotations

from aiortc.rtcsctptransport import WEBRTC_BINARY, WEBRTC_STRING, RTCSctpTransport

from client.media.aiortc_internals import DataChannelReceive, wrap_data_channel_receive


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf8")
    except UnicodeDecodeError:
        return False
    return True


def _guarded(receive: DataChannelReceive) -> DataChannelReceive:
    async def receive_text_safely(
        transport: RTCSctpTransport, stream_id: int, pp_id: int, data: bytes
    ) -> None:
        if pp_id == WEBRTC_STRING and not _is_utf8(data):
            pp_id = WEBRTC_BINARY
        await receive(transport, stream_id, pp_id, data)

    return receive_text_safely


def install() -> None:
    """Guard aiortc's data-channel receive path, once per process."""
    wrap_data_channel_receive(_guarded)
