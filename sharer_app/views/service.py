"""The only object in the sharer's UI that touches the session engine."""

from __future__ import annotations

import socket
from collections.abc import Callable

from client.session.sharer_engine import SharerEngine
from client.settings import AppSettings
from common.permissions import ConsentChoice
from desktop_widgets.engine_service import EngineService

EngineFactory = Callable[[AppSettings], SharerEngine]


class SharerService(EngineService):
    def __init__(self, settings: AppSettings, engine_factory: EngineFactory) -> None:
        super().__init__(settings)
        self._factory = engine_factory
        self.engine: SharerEngine | None = None

    def connect(self, upn: str | None, code: str) -> None:
        """Sign in if not yet signed in, then redeem the code."""
        if upn:
            self.settings.user = upn
        self._run(self._connect(code))

    def await_help(self, upn: str | None) -> None:
        """An enrolled device waits for help requests while no session runs; a code typed
        meanwhile still works (the same signed-in engine redeems it)."""
        if upn:
            self.settings.user = upn
        self._run(self._await_help())

    def consent(self, choice: str, allow: list[str] | None = None) -> None:
        if self.engine is not None:
            self._run(self.engine.consent(ConsentChoice(choice), list(allow or [])))

    def set_allowed(self, allow: list[str]) -> None:
        if self.engine is not None:
            self._run(self.engine.set_allowed(list(allow)))

    def grant_control(self) -> None:
        if self.engine is not None:
            self._run(self.engine.grant_control())

    def revoke_control(self) -> None:
        if self.engine is not None:
            self._run(self.engine.revoke_control())

    def deny_control(self) -> None:
        if self.engine is not None:
            self._run(self.engine.deny_control())

    def set_paused(self, paused: bool) -> None:
        if self.engine is not None:
            self._run(self._pause(self.engine, paused))

    def chat(self, text: str) -> None:
        if self.engine is not None:
            self._run(self.engine.chat(text))

    def stop(self) -> None:
        if self.engine is not None:
            self._run(self.engine.end())

    def new_session(self) -> None:
        self.engine = None

    @staticmethod
    async def _pause(engine: SharerEngine, paused: bool) -> None:
        engine.set_paused(paused)

    async def _signed_in_engine(self) -> SharerEngine:
        engine = self.engine
        if engine is None or engine.state is engine.ENDED:
            engine = self._factory(self.settings)
            engine.subscribe(self._forward)
            self.engine = engine
            await engine.sign_in(interactive=True, device_name=socket.gethostname())
        return engine

    async def _connect(self, code: str) -> None:
        engine = await self._signed_in_engine()
        await engine.redeem(code)

    async def _await_help(self) -> None:
        engine = await self._signed_in_engine()
        await engine.await_help()
