"""Hypothesis strategies for hostile messages, derived from the pydantic models themselves.

Nothing here lists a message by hand: every model in the ``Message``, ``PeerMessage`` and
``InputEvent`` unions is walked field by field, so a message type added to the protocol is
fuzzed without anyone remembering to. Each field gets either a value of its own type (near
its bounds: the longest allowed string and one character more) or a hostile one (the wrong
type, NaN, a lone surrogate, bidi overrides, a huge number, deep nesting); whole messages may
lose a field, gain an unknown one, or carry another version. Raw frames add what no model
describes: garbage text, binary frames, oversized frames and nesting past any parser's limit.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args, get_origin

from annotated_types import MaxLen
from hypothesis import strategies as st
from pydantic import BaseModel

from common.input_events import MAX_INPUT_MESSAGE_BYTES, InputEvent
from common.peer_messages import MAX_PEER_MESSAGE_BYTES, Bye, PeerMessage
from common.protocol import MAX_MESSAGE_BYTES, Message

# Unicode that has broken someone's display or log somewhere: C0/C1 controls, bidi
# overrides, zero-width joiners, line and paragraph separators, a BOM, a lone surrogate
# (valid in JSON, not encodable as UTF-8), non-characters and an astral character.
NASTY_CHARACTERS = (
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200b", "\u200d",
    "\u2028", "\u2029", "\ufeff", "\ud800", "\udfff", "\uffff", "\U0001f600", "\n", "\t",
)  # fmt: skip
NASTY_STRINGS = (
    "", " ", "null", "__proto__", "../../etc/passwd", "'; DROP TABLE audit;--", "%s%n%x",
    "ABCD-EFGH", "abcd efgh", "\u202eevil\u202c", "A" * 300, "0" * 5000,
)  # fmt: skip


def nasty_text(max_size: int = 64) -> st.SearchStrategy[str]:
    """Short strings built from ordinary and hostile characters alike."""
    pieces = st.one_of(st.sampled_from(NASTY_CHARACTERS), st.text(max_size=8))
    return st.one_of(
        st.sampled_from(NASTY_STRINGS),
        st.lists(pieces, max_size=max_size // 4).map("".join),
    )


def nested(depth: int) -> Any:
    """A list nested ``depth`` levels deep, as a Python value."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text(),
)
# Any JSON value: the wrong type for whatever field it lands in.
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(nasty_text(8), inner, max_size=4)
    ),
    max_leaves=12,
)
HOSTILE_VALUE = st.one_of(
    ANY_JSON,
    st.sampled_from([50, 200, 900]).map(nested),
    st.sampled_from([float("nan"), float("inf"), -1, 2**63, True, {}, []]),
)


def _max_length(metadata: list[Any]) -> int | None:
    for item in metadata:
        if isinstance(item, MaxLen):
            return int(item.max_length)
        inner = getattr(item, "max_length", None)
        if isinstance(inner, int):
            return inner
    return None


def _string(max_length: int | None) -> st.SearchStrategy[str]:
    """Ordinary and hostile strings, and strings exactly at and just past the bound."""
    choices = [nasty_text(), st.text(max_size=40)]
    if max_length is not None:
        choices.append(st.sampled_from(["x" * max_length, "x" * (max_length + 1)]))
    return st.one_of(*choices)


def value_for(annotation: Any, metadata: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """Values of the field's own type (JSON-ready), at and around its limits."""
    metadata = list(metadata or [])
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = get_args(annotation)
        return value_for(inner, metadata + extra)
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(value_for(arg, metadata) for arg in get_args(annotation)))
    if origin is dict:  # free-form JSON objects, such as a signed envelope's body
        return st.dictionaries(nasty_text(8), ANY_JSON, max_size=4)
    if annotation is Any:
        return ANY_JSON
    if origin is list:
        (item,) = get_args(annotation)
        return st.lists(value_for(item), max_size=(_max_length(metadata) or 4) + 1)
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return st.sampled_from([member.value for member in annotation])
        if issubclass(annotation, BaseModel):
            return shaped_like(annotation)
        if annotation is bool:
            return st.booleans()
        if annotation is int:
            return st.one_of(st.integers(-3, 70), st.integers(-(2**64), 2**64))
        if annotation is float:
            return st.one_of(
                st.floats(0, 1), st.floats(allow_nan=True, allow_infinity=True), st.integers()
            )
        if annotation is str:
            return _string(_max_length(metadata))
        if annotation is datetime:
            return st.one_of(st.datetimes().map(datetime.isoformat), nasty_text())
    raise TypeError(f"no strategy for {annotation!r}: teach value_for this type")


@st.composite
def shaped_like(draw: st.DrawFn, model: type[BaseModel]) -> dict[str, Any]:
    """A dict with the model's fields: each its own kind of value or a hostile one; now and
    then a field missing, an unknown one added, or another protocol version."""
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        own = value_for(field.annotation, field.metadata)
        if name in ("v", "type"):  # the envelope: changed below, now and then
            data[name] = draw(own)
        elif draw(st.integers(0, 19)) == 0:
            continue  # a missing field
        else:
            data[name] = draw(HOSTILE_VALUE if draw(st.integers(0, 7)) == 0 else own)
    if draw(st.integers(0, 12)) == 0:
        data[draw(nasty_text(16))] = draw(ANY_JSON)
    if "v" in data and draw(st.integers(0, 12)) == 0:
        data["v"] = draw(st.sampled_from([0, 2, "1", 1.0, True, None, -1, 2**64]))
    if draw(st.integers(0, 30)) == 0:
        data.pop("type", None)
    return data


def union_members(union: Any) -> list[type[BaseModel]]:
    """The models of a discriminated union such as ``Message``."""
    (members, *_) = get_args(union)
    return [m for m in get_args(members) if isinstance(m, type) and issubclass(m, BaseModel)]


SIGNALING_MODELS = union_members(Message)
PEER_MODELS = union_members(PeerMessage)
INPUT_MODELS = union_members(InputEvent)


@dataclass(frozen=True)
class TextBytes:
    """Bytes sent in a *text* frame: when they are not UTF-8, the WebSocket protocol itself
    (RFC 6455) says the receiver closes the connection with 1007."""

    data: bytes


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return True
    return False


INVALID_UTF8 = st.one_of(
    st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b'{"v": 1, "type": "\xc0\xaf"}']),
    st.binary(min_size=1, max_size=64).filter(_not_utf8),
).map(TextBytes)


def _sendable(text: str) -> str | TextBytes:
    """Raw text as it can go out: a lone surrogate cannot be UTF-8, so such text goes as the
    bytes a careless encoder makes of it (CESU-8), in a text frame all the same."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return TextBytes(text.encode("utf-8", "surrogatepass"))
    return text


def _dumps(data: Any) -> str:
    # allow_nan: Python's JSON parser reads NaN and Infinity, so a hostile peer may send them.
    return json.dumps(data, allow_nan=True)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def messages_of(models: list[type[BaseModel]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(models).flatmap(shaped_like)


def frames(models: list[type[BaseModel]], limit: int) -> st.SearchStrategy[str | bytes | TextBytes]:
    """Whole frames: mostly model-shaped JSON, then garbage of every other kind.

    ``limit`` is the receiver's size limit: oversized frames go just past it (and no
    further, so the fuzz measures the parser, not the bandwidth).
    """
    garbage: list[st.SearchStrategy[str | bytes | TextBytes]] = [
        ANY_JSON.map(_dumps),
        nasty_text(200).map(_sendable),
        st.sampled_from([50, 2000, 20_000]).map(_deep),
        st.sampled_from(["{", "[]", "null", '"type"', "{}", '{"type": "chat"}', "NaN"]),
        messages_of(models).map(lambda m: _dumps({**m, "pad": "x" * limit})),
        st.just(json.dumps({"type": {"$type": "chat"}, "v": 1})),
        st.binary(max_size=200),
        messages_of(models).map(lambda m: _dumps(m).encode()),
        INVALID_UTF8,
    ]
    shaped = messages_of(models).map(_dumps)
    # Three frames in four are shaped like a message: they reach the deepest code.
    return st.integers(0, 3).flatmap(lambda n: shaped if n else st.one_of(*garbage))


SIGNALING_FRAMES = frames(SIGNALING_MODELS, MAX_MESSAGE_BYTES)
# A goodbye ends the session, as it should: it is sent on its own, last.
CONTROL_FRAMES = frames([m for m in PEER_MODELS if m is not Bye], MAX_PEER_MESSAGE_BYTES)
INPUT_FRAMES = frames(INPUT_MODELS, MAX_INPUT_MESSAGE_BYTES)
