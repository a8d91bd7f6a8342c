"""The audio websocket protocol: messages, their validation, and the close codes for errors.

1. A text message `start` (language, sample rate, encoding, participants — one audio channel
   each, in order — and the rep's id).
2. Binary messages: interleaved little-endian 16-bit PCM, a whole number of sample frames, at
   most one second each.
3. A text message `stop`; the server answers `stopped` with the scorecard and closes (1000).

Errors get `{"type": "error", "code", "message"}` and a close: 1003 for data of a kind the
server cannot take (binary before `start`, an unknown message type), 1007 for a malformed
message (bad JSON, a wrong field, an odd byte count), 1008 for one that breaks policy (an
unsupported rate or encoding, a frame over a second, a call already connected or ended).
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

UNSUPPORTED_DATA = 1003
INVALID_PAYLOAD = 1007
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
SAMPLE_RATES = (8000, 16000, 48000)
MAX_CHANNELS = 8


class ProtocolError(Exception):
    def __init__(self, close_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.close_code, self.code, self.message = close_code, code, message

    def event(self) -> dict[str, str]:
        return {"type": "error", "code": self.code, "message": self.message}


class ParticipantSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    role: Literal["customer", "cs", "executive", "support", "rep"]
    name: str = Field("", max_length=200)


class StartMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["start"]
    language: Literal["he", "en"]
    sample_rate: int
    encoding: str = "pcm_s16le"
    participants: list[ParticipantSpec] = Field(min_length=1, max_length=MAX_CHANNELS)
    rep_id: str | None = Field(None, max_length=128)
    title: str = Field("", max_length=500)

    @model_validator(mode="after")
    def _unique(self) -> StartMessage:
        ids = [p.id for p in self.participants]
        if len(set(ids)) != len(ids):
            raise ValueError("participant ids must be unique")
        return self

    @property
    def channels(self) -> int:
        return len(self.participants)

    @property
    def frame_bytes(self) -> int:
        return 2 * self.channels

    @property
    def max_message_bytes(self) -> int:
        return self.sample_rate * self.frame_bytes  # one second


def parse_json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(INVALID_PAYLOAD, "invalid_json", f"not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError(
            INVALID_PAYLOAD, "invalid_message", "a message is a JSON object with a 'type'"
        )
    return data


def parse_start(data: dict[str, Any]) -> StartMessage:
    if data.get("type") != "start":
        raise ProtocolError(POLICY_VIOLATION, "expected_start", "the first message must be 'start'")
    if data.get("sample_rate") not in SAMPLE_RATES:
        raise ProtocolError(
            POLICY_VIOLATION,
            "unsupported_sample_rate",
            f"sample_rate must be one of {', '.join(map(str, SAMPLE_RATES))}",
        )
    if data.get("encoding", "pcm_s16le") != "pcm_s16le":
        raise ProtocolError(POLICY_VIOLATION, "unsupported_encoding", "encoding must be pcm_s16le")
    try:
        return StartMessage.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "start"
        raise ProtocolError(INVALID_PAYLOAD, "invalid_start", f"{where}: {first['msg']}") from exc


def check_frame(start: StartMessage, data: bytes) -> None:
    if len(data) == 0 or len(data) % start.frame_bytes:
        raise ProtocolError(
            INVALID_PAYLOAD,
            "bad_frame",
            f"{len(data)} bytes is not a whole number of {start.channels}-channel 16-bit frames",
        )
    if len(data) > start.max_message_bytes:
        raise ProtocolError(
            POLICY_VIOLATION, "frame_too_long", "an audio message may hold at most 1 s"
        )
