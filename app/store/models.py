"""The tables. Plain SQLAlchemy 2 declarative models: SQLite by default, Postgres-ready."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(500), default="")
    rep_id: Mapped[str | None] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), default="live", index=True)  # live/ended
    source: Mapped[str] = mapped_column(String(16), default="live")  # live/import
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), index=True)
    churn_reason: Mapped[str | None] = mapped_column(String(16))
    churn_stage: Mapped[str | None] = mapped_column(String(16))
    audio_path: Mapped[str | None] = mapped_column(String(1000))
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    channels: Mapped[int | None] = mapped_column(Integer)
    scorecard: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    participants: Mapped[list[CallParticipant]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallParticipant.position"
    )
    utterances: Mapped[list[Utterance]] = relationship(
        cascade="all, delete-orphan", order_by="Utterance.start"
    )
    nudges: Mapped[list[NudgeRow]] = relationship(
        cascade="all, delete-orphan", order_by="NudgeRow.at"
    )
    findings: Mapped[list[FindingRow]] = relationship(
        cascade="all, delete-orphan", order_by="FindingRow.at"
    )


class CallParticipant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the audio channel
    participant_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    call: Mapped[Call] = relationship(back_populates="participants")


class Utterance(Base):
    __tablename__ = "utterances"
    __table_args__ = (Index("ix_utterances_call_start", "call_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    speaker: Mapped[str] = mapped_column(String(64))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)


class NudgeRow(Base):
    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rubric: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
    to: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    why: Mapped[str] = mapped_column(Text, default="")


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rubric: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
    speaker: Mapped[str] = mapped_column(String(64))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class User(Base):
    """A person who signs in: a rep, a team lead, a trainer or an admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The username is also the rep id that calls carry (`calls.rep_id`).
    username: Mapped[str] = mapped_column(String(128), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))  # rep / lead / trainer / admin
    team: Mapped[str | None] = mapped_column(String(128), index=True)
    password_hash: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthSession(Base):
    """A signed-in browser or script: the token is given out once, only its hash is kept."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ApiKey(Base):
    """A key for telephony platforms and scripts: stored hashed, revocable."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)  # shown in lists, not secret
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The role the key acts with (admin, lead, ... or "telephony": may only stream calls in).
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    max_calls: Mapped[int | None] = mapped_column(Integer)  # concurrent live calls, None: default
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    """A trainer's comment at a moment (or a range) of a call."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_call_start", "call_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JudgeDecision(Base):
    """What the optional LLM judge decided, with the prompt version, model and latency."""

    __tablename__ = "judge_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(32))  # coaching_notes / second_opinion / churn
    rubric: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # ok / error
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(64))
    latency_ms: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
