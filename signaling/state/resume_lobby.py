"""Where the two sides of a session, back with their resume tokens, find each other across
replicas: one Redis hash a session, one field a side, gone after the wait for the other.

Each side says where it is (replica and connection) and, for a sharer, who it is (its card,
checked against its token by the replica that took it); writing one's own side and reading
the other's is one transaction, so two sides arriving at once on two replicas both see each
other and never both miss the other.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from common.protocol import PeerRole
from signaling.state.bus import PeerCard

PREFIX = "helpline:resume:"


class Side(BaseModel):
    replica: str
    conn: str
    audit_id: str
    card: PeerCard | None = None  # the sharer's, for the helper's replica to rebuild it


class RedisResumeLobby:
    def __init__(self, redis: Redis, wait_seconds: float) -> None:
        self._redis = redis
        # The other side is waited for this long (HELPLINE_RESUME_WAIT_SECONDS), then some.
        self._ttl_ms = int((wait_seconds + 5) * 1000)

    async def arrive(self, session_id: str, role: PeerRole, side: Side) -> dict[PeerRole, Side]:
        """Write this side; both sides as Redis holds them now."""
        key = PREFIX + session_id
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, role.value, side.model_dump_json())
            pipe.pexpire(key, self._ttl_ms)
            pipe.hgetall(key)
            *_, found = await pipe.execute()
        return _sides(found)

    async def sides(self, session_id: str) -> dict[PeerRole, Side]:
        return _sides(await self._redis.hgetall(PREFIX + session_id))

    async def leave(self, session_id: str, role: PeerRole, conn: str) -> None:
        """This side stopped waiting (timed out, or went away); a newer arrival stays."""
        found = (await self.sides(session_id)).get(role)
        if found is not None and found.conn == conn:
            await self._redis.hdel(PREFIX + session_id, role.value)

    async def forget(self, session_id: str) -> None:
        """The two sides found each other."""
        await self._redis.delete(PREFIX + session_id)


def _sides(found: Mapping[bytes | str, bytes | str]) -> dict[PeerRole, Side]:
    sides = {}
    for role, text in found.items():
        try:
            name = role.decode() if isinstance(role, bytes) else role
            sides[PeerRole(name)] = Side.model_validate_json(text)
        except (ValueError, ValidationError):
            continue  # not ours: as if that side were not there
    return sides
