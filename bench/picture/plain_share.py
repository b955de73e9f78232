"""The baseline: a plain aiortc screen share, as anyone would first write it.

    python -m bench.picture.plain_share send      (on the sharer's display)
    python -m bench.picture.plain_share receive   (on the helper's display)

The sender is an ``mss`` grab in a ``VideoStreamTrack`` with aiortc's defaults (its own
30 fps clock, its own bit rates); the receiver offers VP8 only and paints every decoded
frame 1:1 in a full-screen Qt window. The two exchange one offer and one answer as JSON
lines through the benchmark (aiortc gathers all candidates before it describes itself), so
no signaling server is involved. They are two processes, not one, so the CPU of each side
is measured on its own. The receiver speaks the helper launcher's events (``connected``,
``stats``, ``bytes``, ``ended`` when the connection fails), so the benchmark drives both
contenders the same way.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import av
import mss
import numpy as np
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, "t": time.monotonic(), **fields}), flush=True)


class ScreenTrack(VideoStreamTrack):
    def __init__(self) -> None:
        super().__init__()
        self.screen = mss.MSS()

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        shot = self.screen.grab(self.screen.monitors[1])
        pixels = np.frombuffer(shot.raw, np.uint8).reshape(shot.height, shot.width, 4)
        frame = av.VideoFrame.from_ndarray(pixels, format="bgra")
        frame.pts, frame.time_base = pts, time_base
        return frame


async def send() -> None:
    pc = RTCPeerConnection()
    pc.addTrack(ScreenTrack())
    loop = asyncio.get_running_loop()
    offer = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    emit("answer", sdp=pc.localDescription.sdp)
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes stdin
    await pc.close()


def receive() -> None:
    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QApplication, QWidget

    class Viewer(QWidget):
        def __init__(self) -> None:
            super().__init__(None, Qt.WindowType.FramelessWindowHint)
            self.image: QImage | None = None

        def show_frame(self, frame: av.VideoFrame) -> None:
            rgb = frame.to_ndarray(format="rgb24")
            h, w, _ = rgb.shape
            self.image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
            self.update()

        def paintEvent(self, _: object) -> None:
            painter = QPainter(self)
            painter.fillRect(self.rect(), QColor(0, 0, 0))
            if self.image is not None:
                x = (self.width() - self.image.width()) // 2
                y = (self.height() - self.image.height()) // 2
                painter.drawImage(x, y, self.image)

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    viewer = Viewer()
    viewer.setGeometry(app.primaryScreen().geometry())
    viewer.show()
    done = asyncio.Event()
    state = {"frames": 0, "width": 0, "height": 0}

    async def session() -> None:
        pc = RTCPeerConnection()
        transceiver = pc.addTransceiver("video", direction="recvonly")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        transceiver.setCodecPreferences([c for c in codecs if c.mimeType == "video/VP8"])

        pulls: set[asyncio.Future[None]] = set()

        @pc.on("track")
        def on_track(track: Any) -> None:
            async def pull() -> None:
                while True:
                    try:
                        frame = await track.recv()
                    except MediaStreamError:
                        return
                    state["frames"] += 1
                    state["width"], state["height"] = frame.width, frame.height
                    viewer.show_frame(frame)

            pulls.add(asyncio.ensure_future(pull()))

        @pc.on("connectionstatechange")
        def on_state() -> None:
            if pc.connectionState == "connected":
                emit("connected")
            elif pc.connectionState == "failed":  # what the helper's engine calls "ended"
                emit("ended", reason="connection_failed")

        await pc.setLocalDescription(await pc.createOffer())
        emit("offer", sdp=pc.localDescription.sdp)
        answer = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        eof = loop.run_in_executor(None, sys.stdin.read)
        eof.add_done_callback(lambda _: done.set())
        last = 0
        while not done.is_set():
            await asyncio.sleep(1.0)
            report = await pc.getStats()
            received = sum(s.bytesReceived for s in report.values() if s.type == "transport")
            emit(
                "stats",
                fps=state["frames"] - last,
                width=state["width"],
                height=state["height"],
                frames=state["frames"],
            )
            emit("bytes", received=received)
            last = state["frames"]
        await pc.close()

    with loop:
        loop.run_until_complete(session())


if __name__ == "__main__":
    if sys.argv[1:] == ["send"]:
        asyncio.run(send())
    else:
        receive()
