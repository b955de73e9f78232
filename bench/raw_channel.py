"""The transfer benchmark's baseline: bytes over a bare aiortc data channel, two processes.

    python -m bench.raw_channel send SIZE [--no-flow-control]
    python -m bench.raw_channel receive PATH

JSON lines on stdin and stdout, relayed by the benchmark: the sender prints ``{"offer": sdp}``,
the receiver answers ``{"answer": sdp}``; once the channel is open each prints ``{"open":
true}``; ``{"cmd": "go"}`` to the sender starts the transfer, and the receiver prints
``{"done": bytes, "sha256": ...}`` once every byte is written to PATH. Same chunks and the
same bufferedAmount thresholds as Helpline's file channel, the same SHA-256 and disk writes
on the receiver; no session, gate, picture or heartbeat around it. Without flow control the
sender queues the whole file at once (what Helpline must not do: it would hold every control
message behind it).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
from typing import Any

from aiortc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from client.session.file_transfers import CHUNK_BYTES
from client.session.peer_link import FILES_HIGH_WATER, FILES_LOW_WATER


def _say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


async def _lines() -> asyncio.Queue[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, json.loads(line))

    loop.run_in_executor(None, pump)
    return queue


async def send(size: int, flow_control: bool) -> None:
    lines = await _lines()
    pc = RTCPeerConnection()
    channel = pc.createDataChannel("files", ordered=True)
    channel.bufferedAmountLowThreshold = FILES_LOW_WATER
    opened = asyncio.Event()
    channel.on("open", opened.set)
    await pc.setLocalDescription(await pc.createOffer())
    _say(offer=pc.localDescription.sdp)
    answer = await lines.get()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["answer"], type="answer"))
    await opened.wait()
    _say(open=True)
    await lines.get()  # go
    low = asyncio.Event()
    channel.on("bufferedamountlow", low.set)
    block = os.urandom(CHUNK_BYTES)
    sent = 0
    while sent < size:
        if flow_control and channel.bufferedAmount > FILES_HIGH_WATER:
            low.clear()
            await low.wait()
        chunk = block[: min(CHUNK_BYTES, size - sent)]
        channel.send(chunk)
        sent += len(chunk)
    await lines.get()  # the benchmark says when the receiver has it all
    await pc.close()


async def receive(path: str) -> None:
    lines = await _lines()
    pc = RTCPeerConnection()
    done = asyncio.Event()
    digest = hashlib.sha256()
    got = 0
    out = open(path, "wb")

    def on_channel(channel: RTCDataChannel) -> None:
        # The answering side hears of a channel once it is open already.
        if channel.readyState == "open":
            _say(open=True)
        else:
            channel.on("open", lambda: _say(open=True))

        def on_message(data: bytes | str) -> None:
            nonlocal got
            if isinstance(data, bytes):
                out.write(data)
                digest.update(data)
                got += len(data)
                if got >= expected:
                    done.set()

        channel.on("message", on_message)

    pc.on("datachannel", on_channel)
    offer = await lines.get()
    expected = int(offer["size"])
    await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["offer"], type="offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    _say(answer=pc.localDescription.sdp)
    await done.wait()
    out.close()
    _say(done=got, sha256=digest.hexdigest())
    await lines.get()
    await pc.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="role", required=True)
    sender = sub.add_parser("send")
    sender.add_argument("size", type=int)
    sender.add_argument("--no-flow-control", action="store_true")
    receiver = sub.add_parser("receive")
    receiver.add_argument("path")
    args = parser.parse_args()
    if args.role == "send":
        asyncio.run(send(args.size, not args.no_flow_control))
    else:
        asyncio.run(receive(args.path))


if __name__ == "__main__":
    main()
