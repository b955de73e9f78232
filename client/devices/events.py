"""What the device agent tells its user: JSON lines when headless, the tray app's signals.

Same base as the session engines' catalogue, so one writer prints both and the same
``--events`` file can follow them.
"""

from __future__ import annotations

from client.session.events import EngineEvent


class AgentConnected(EngineEvent):
    event = "agent_connected"
    device: str
    name: str


class AgentDisconnected(EngineEvent):
    """The connection dropped; the agent tries again after ``retry_in`` seconds."""

    event = "agent_disconnected"
    reason: str
    retry_in: float


class CheckedIn(EngineEvent):
    event = "checked_in"
    device: str
    at: str


class ActionStarted(EngineEvent):
    event = "action_started"
    id: str
    action: str


class ActionFinished(EngineEvent):
    event = "action_finished"
    id: str
    action: str
    state: str
    result: str
    platform_command: str = ""


class RestartCountdownShown(EngineEvent):
    """A restart is coming: the person may answer ``{"cmd": "postpone"}`` once."""

    event = "restart_countdown"
    id: str
    seconds: float
    can_postpone: bool


class RestartPostponed(EngineEvent):
    event = "restart_postponed"
    id: str
    seconds: float


class DeviceRetired(EngineEvent):
    """The device is no longer managed: its key and the organisation's data are gone."""

    event = "retired"
    removed: list[str]


class ActionRefused(EngineEvent):
    """An action the agent will not run: the server it enrolled with did not sign it (a
    forged or edited row, another server), or it lacks a second person's approval."""

    event = "action_refused"
    id: str
    action: str
    reason: str


class HelpWantedNotice(EngineEvent):
    """A helper asks to help on this device: the person answers in the Helpline app, which
    shows the helper's verified card; the agent itself opens nothing."""

    event = "help_wanted"
    helper_name: str
    expires_at: str
    message: str


class ActionNotice(EngineEvent):
    """What is about to happen to this machine, and who asked, before it happens."""

    event = "action_notice"
    id: str
    action: str
    requested_by: str
    approved_by: str = ""
    message: str
