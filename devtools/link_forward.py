"""A TCP port of the namespace's loopback that leads, across the emulated link, to a server.

    python -m devtools.link_forward PORT HOST   (run inside the link's namespace)

The apps send sign-in tokens over plain http only to their own machine, as they should; a
server reached across the emulated link at ``http://10.213.x.1`` is refused. This forwarder
listens on ``127.0.0.1:PORT`` inside the namespace and connects each client, from inside, to
``HOST:PORT``, so the sharer talks to "its own machine" while every byte still crosses the
link. It prints one ``ready`` line once listening; end of stdin stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError):
            writer.close()


async def _serve(port: int, host: str) -> None:
    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            far_reader, far_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, far_writer), _pipe(far_reader, writer))

    server = await asyncio.start_server(connect, "127.0.0.1", port)
    print(json.dumps({"event": "ready"}), flush=True)
    loop = asyncio.get_running_loop()
    async with server:
        await loop.run_in_executor(None, sys.stdin.read)


def main() -> int:
    port, host = int(sys.argv[1]), sys.argv[2]
    asyncio.run(_serve(port, host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
