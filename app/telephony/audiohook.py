"""Genesys Cloud AudioHook, protocol version 2: message validation, sequence rules, media choice.

The client (Genesys Cloud) opens the websocket with `Audiohook-Organization-Id`,
`Audiohook-Session-Id`, `Audiohook-Correlation-Id` and `X-API-KEY`, then sends JSON messages —
`open`, `ping`, `update`, `paused`, `resumed`, `discarded`, `error`, `close` — and binary audio
frames in the medium the server chose in its `opened` reply. Every client message carries
`version` "2", the session `id`, its own `seq` (1, 2, 3 …), the last server `seq` it has seen
(`serverseq`) and the stream `position` (ISO-8601 duration of the audio so far); server messages
carry their own `seq` and the last client `seq` (`clientseq`).

A message that breaks the protocol — not JSON, not a well-formed client message, a `seq` that is
not one more than the last, a `serverseq` the server never sent, another session's id, an unknown
type, bad parameters, audio outside an active stream — is answered with `disconnect`
(reason `error` and the cause in `info`), as Genesys's reference server does; the client then
closes the session (`close` → `closed`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

PROTOCOL_VERSION = "2"
NULL_UUID = "00000000-0000-0000-0000-000000000000"
UUID = re.compile(
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000)$"
)
DURATION = re.compile(r"^PT(?:\d*\.)?\d+S$")
LANGUAGE = re.compile(r"^[a-z]{2,3}-[A-Za-z]{2,3}$")
MAX_TEXT = 65535
CLIENT_TYPES = ("open", "close", "discarded", "error", "ping", "update", "paused", "resumed")
CLOSE_REASONS = ("end", "error", "disconnect", "reconnect")
# The languages this service transcribes, as AudioHook language codes (for `supportedLanguages`).
SUPPORTED_LANGUAGES = ["en-US", "en-GB", "he-IL"]
RATE = 8000


class AudioHookError(Exception):
    """A protocol violation by the client: answered with `disconnect` (reason error)."""

    def __init__(self, info: str) -> None:
        super().__init__(info)
        self.info = info


def parse_duration(value: Any) -> float:
    """`PT12.34S` → 12.34 seconds."""
    if not isinstance(value, str) or not DURATION.match(value):
        raise ValueError(f"not an ISO-8601 duration in seconds: {str(value)[:40]!r}")
    return float(value[2:-1])


def format_duration(seconds: float) -> str:
    """12.34 → `PT12.34S` (at most millisecond precision, no exponent)."""
    d = Decimal(str(round(max(seconds, 0.0), 3))).normalize()
    text = format(d, "f")
    return f"PT{text}S"


@dataclass(frozen=True)
class ClientMessage:
    type: str
    id: str
    seq: int
    serverseq: int
    position: float
    parameters: dict[str, Any]


def _seqno(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return isinstance(value, int) and value >= 0


def _uuid(v: Any) -> bool:
    return isinstance(v, str) and bool(UUID.match(v))


def _duration(v: Any) -> bool:
    return isinstance(v, str) and bool(DURATION.match(v))


def _media(v: Any) -> bool:
    return (
        isinstance(v, dict)
        and v.get("type") == "audio"
        and v.get("format") in ("PCMU", "L16")
        and v.get("rate") == RATE
        and not isinstance(v.get("rate"), bool)
        and isinstance(v.get("channels"), list)
        and 1 <= len(v["channels"]) <= 2
        and all(c in ("external", "internal") for c in v["channels"])
    )


def _participant(v: Any) -> bool:
    return (
        isinstance(v, dict)
        and _uuid(v.get("id"))
        and all(isinstance(v.get(k), str) for k in ("ani", "aniName", "dnis"))
    )


def _continued(v: Any) -> bool:
    return isinstance(v, list) and all(
        isinstance(s, dict)
        and _uuid(s.get("id"))
        and _seqno(s.get("serverseq"))
        and _seqno(s.get("clientseq"))
        for s in v
    )


def _error_code(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 400 <= v < 10000


# Per type: required keys and their checks, optional keys and theirs (unknown keys are allowed).
_REQUIRED: dict[str, dict[str, Any]] = {
    "open": {
        "organizationId": _uuid,
        "conversationId": _uuid,
        "participant": _participant,
        "media": lambda v: isinstance(v, list) and all(_media(m) for m in v),
    },
    "close": {"reason": lambda v: v in CLOSE_REASONS},
    "discarded": {"start": _duration, "discarded": _duration},
    "error": {"code": _error_code, "message": lambda v: isinstance(v, str)},
    "ping": {},
    "update": {"language": lambda v: isinstance(v, str) and bool(LANGUAGE.match(v))},
    "paused": {},
    "resumed": {"start": _duration, "discarded": _duration},
}
_OPTIONAL: dict[str, dict[str, Any]] = {
    "open": {
        "language": lambda v: isinstance(v, str) and bool(LANGUAGE.match(v)),
        "supportedLanguages": lambda v: isinstance(v, bool),
        "continuedSessions": _continued,
        "customConfig": lambda v: isinstance(v, dict),
    },
    "error": {"retryAfter": _duration},
    "ping": {"rtt": _duration},
}


def parse_client_message(text: str) -> ClientMessage:
    """One text frame → a well-formed client message (`seq` order is the session's to check)."""
    if len(text) > MAX_TEXT:
        raise AudioHookError(f"Text message too large (>64K). Length: {len(text)}")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise AudioHookError("Text message not valid JSON") from exc
    if not (
        isinstance(data, dict)
        and data.get("version") == PROTOCOL_VERSION
        and _uuid(data.get("id"))
        and isinstance(data.get("type"), str)
        and _seqno(data.get("seq"))
        and isinstance(data.get("parameters"), dict)
        and _duration(data.get("position"))
        and _seqno(data.get("serverseq"))
    ):
        raise AudioHookError("Message not a well-formed client message")
    return ClientMessage(
        type=data["type"],
        id=data["id"],
        seq=int(data["seq"]),
        serverseq=int(data["serverseq"]),
        position=parse_duration(data["position"]),
        parameters=data["parameters"],
    )


def check_parameters(message: ClientMessage) -> None:
    """The message's type is a client message type and its parameters are valid for it."""
    if message.type not in _REQUIRED:
        raise AudioHookError(
            f"Invalid Message: '{message.type[:40]}' is not a supported client message"
        )
    params = message.parameters
    required, optional = _REQUIRED[message.type], _OPTIONAL.get(message.type, {})
    ok = all(k in params and check(params[k]) for k, check in required.items()) and all(
        k not in params or check(params[k]) for k, check in optional.items()
    )
    if not ok:
        raise AudioHookError(f"Invalid '{message.type}' message: invalid or missing parameters")


@dataclass(frozen=True)
class Medium:
    """The offer chosen, and where each of its channels goes: (customer, rep) channel indexes
    in the audio, None for a party the medium does not carry."""

    offer: dict[str, Any]
    customer: int | None
    rep: int | None

    @property
    def format(self) -> str:
        return str(self.offer["format"])

    @property
    def channels(self) -> int:
        return len(self.offer["channels"])

    @property
    def frame_bytes(self) -> int:
        return self.channels * (1 if self.format == "PCMU" else 2)


def choose_medium(offers: list[dict[str, Any]]) -> Medium | None:
    """Both parties before one, PCMU before L16 (half the bytes, same 8 kHz), the client's order
    otherwise. external is the customer, internal the agent."""

    def rank(i_offer: tuple[int, dict[str, Any]]) -> tuple[int, int, int]:
        i, offer = i_offer
        return (-len(set(offer["channels"])), 0 if offer["format"] == "PCMU" else 1, i)

    usable = [(i, o) for i, o in enumerate(offers) if len(set(o["channels"])) == len(o["channels"])]
    if not usable:
        return None
    offer = min(usable, key=rank)[1]
    chans = offer["channels"]
    return Medium(
        offer=offer,
        customer=chans.index("external") if "external" in chans else None,
        rep=chans.index("internal") if "internal" in chans else None,
    )


class Sequencer:
    """The session's sequence numbers, as the specification requires them."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.seq = 0  # the last server message's seq
        self.clientseq = 0  # the last client message's seq

    def accept(self, message: ClientMessage) -> None:
        if message.seq != self.clientseq + 1:
            raise AudioHookError(
                f"Invalid seq value {message.seq} (expected {self.clientseq + 1}: "
                "not monotonically increasing)"
            )
        self.clientseq = message.seq
        if message.serverseq > self.seq:
            raise AudioHookError(
                f"Invalid serverseq value {message.serverseq} (last server seq {self.seq})"
            )
        if message.id.lower() != self.session_id.lower():
            raise AudioHookError("Session identifier mismatch")

    def message(self, type_: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
        self.seq += 1
        return {
            "version": PROTOCOL_VERSION,
            "type": type_,
            "id": self.session_id,
            "seq": self.seq,
            "clientseq": self.clientseq,
            "parameters": parameters or {},
        }
