"""Explicit state machines: every allowed transition is written down, the rest refused."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Generic, TypeVar

S = TypeVar("S", bound=Enum)


class IllegalTransition(Exception):
    pass


class StateMachine(Generic[S]):
    def __init__(self, initial: S, transitions: Mapping[S, frozenset[S]]) -> None:
        self._state = initial
        self._transitions = transitions

    @property
    def state(self) -> S:
        return self._state

    def can(self, target: S) -> bool:
        return target in self._transitions.get(self._state, frozenset())

    def move(self, target: S) -> None:
        if not self.can(target):
            raise IllegalTransition(f"{self._state.value} -> {target.value}")
        self._state = target
