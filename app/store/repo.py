"""What the service reads and writes, as plain functions over a session (run them in a thread)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.core.events import Finding, Nudge, Participant, Transcript
from app.store.models import Call, CallParticipant, FindingRow, NudgeRow, Utterance, utcnow


def create_call(
    s: Session,
    call_id: str,
    *,
    language: str,
    participants: list[Participant],
    rep_id: str | None = None,
    title: str = "",
    source: str = "live",
    sample_rate: int | None = None,
    channels: int | None = None,
    audio_path: str | None = None,
    started_at: datetime | None = None,
) -> Call:
    call = Call(
        id=call_id,
        language=language,
        rep_id=rep_id,
        title=title,
        source=source,
        status="live",
        sample_rate=sample_rate,
        channels=channels,
        audio_path=audio_path,
        started_at=started_at or utcnow(),
    )
    call.participants = [
        CallParticipant(position=i, participant_id=p.id, role=p.role, name=p.name)
        for i, p in enumerate(participants)
    ]
    s.add(call)
    return call


def get_call(s: Session, call_id: str, *, full: bool = False) -> Call | None:
    stmt = select(Call).where(Call.id == call_id)
    if full:
        stmt = stmt.options(
            selectinload(Call.participants),
            selectinload(Call.utterances),
            selectinload(Call.nudges),
            selectinload(Call.findings),
        )
    else:
        stmt = stmt.options(selectinload(Call.participants))
    return s.scalars(stmt).first()


def add_utterance(s: Session, call_id: str, t: Transcript) -> None:
    s.add(
        Utterance(
            call_id=call_id,
            speaker=t.speaker,
            start=round(t.start, 3),
            end=round(t.end, 3),
            text=t.text,
        )
    )


def add_nudge(s: Session, call_id: str, n: Nudge) -> None:
    s.add(
        NudgeRow(
            call_id=call_id,
            rubric=n.rubric,
            kind=n.kind,
            at=n.at,
            to=n.to,
            text=n.text,
            severity=n.severity,
            why=n.why,
        )
    )


def add_finding(s: Session, call_id: str, f: Finding) -> None:
    s.add(
        FindingRow(
            call_id=call_id,
            rubric=f.rubric,
            kind=f.kind,
            at=round(f.at, 3),
            speaker=f.speaker,
            start=round(f.start, 3),
            end=round(f.end, 3),
            text=f.text,
            detail=f.detail,
        )
    )


def finish_call(
    s: Session, call_id: str, scorecard: dict[str, Any], audio_path: str | None = None
) -> None:
    call = s.get(Call, call_id)
    if call is None:
        return
    call.status = "ended"
    call.ended_at = utcnow()
    call.duration_s = float(scorecard.get("duration", 0.0))
    call.score = scorecard.get("score")
    call.outcome = scorecard.get("outcome")
    call.churn_reason = scorecard.get("churn_reason")
    call.churn_stage = scorecard.get("churn_stage")
    call.scorecard = _scorecard_summary(scorecard)
    if audio_path is not None:
        call.audio_path = audio_path


def _scorecard_summary(card: dict[str, Any]) -> dict[str, Any]:
    """The scorecard as stored: utterances, nudges and findings have tables of their own."""
    return {k: v for k, v in card.items() if k not in ("utterances", "nudges", "findings")}


def add_judge_decision(s: Session, call_id: str, decision: dict[str, Any]) -> None:
    """A decision of the LLM judge (app/judge): stored as it is, and applied to the call's
    scorecard (verdict, churn labels, coaching notes, the `judge` section; see
    app/judge/scorecard.py), with the score and churn columns kept in step."""
    from app.judge.scorecard import apply_decision
    from app.store.models import JudgeDecision

    call = s.get(Call, call_id)
    if call is None:
        return
    s.add(
        JudgeDecision(
            call_id=call_id,
            task=decision["task"],
            rubric=decision.get("rubric"),
            status=decision["status"],
            model=decision["model"],
            prompt_version=decision["prompt_version"],
            latency_ms=int(decision["latency_ms"]),
            result=decision.get("result"),
            error=decision.get("error"),
        )
    )
    if call.scorecard is not None:
        card = apply_decision(call.scorecard, decision)
        call.scorecard = card
        call.score = card.get("score")
        call.churn_reason = card.get("churn_reason")
        call.churn_stage = card.get("churn_stage")


def judge_decisions(s: Session, call_id: str) -> list[dict[str, Any]]:
    """The judge's decisions on a call, oldest first."""
    from app.store.models import JudgeDecision

    rows = s.scalars(
        select(JudgeDecision).where(JudgeDecision.call_id == call_id).order_by(JudgeDecision.id)
    ).all()
    return [
        {
            "task": r.task,
            "rubric": r.rubric,
            "status": r.status,
            "model": r.model,
            "prompt_version": r.prompt_version,
            "latency_ms": r.latency_ms,
            "result": r.result,
            "error": r.error,
            "created_at": _iso(r.created_at),
        }
        for r in rows
    ]


def store_analysis(
    s: Session,
    call_id: str,
    card: dict[str, Any],
    title: str,
    source: str,
    audio_path: str | None,
    sample_rate: int | None,
    channels: int | None,
    rep_id: str | None,
) -> None:
    """An imported call: everything at once, already finished."""
    people = [Participant(p["id"], p["role"], p.get("name", "")) for p in card["participants"]]
    create_call(
        s,
        call_id,
        language=card["language"],
        participants=people,
        rep_id=rep_id,
        title=title,
        source=source,
        sample_rate=sample_rate,
        channels=channels,
        audio_path=audio_path,
    )
    for u in card["utterances"]:
        s.add(
            Utterance(
                call_id=call_id,
                speaker=u["speaker"],
                start=u["start"],
                end=u["end"],
                text=u["text"],
            )
        )
    for n in card["nudges"]:
        add_nudge(s, call_id, Nudge(**n))
    for f in card["findings"]:
        add_finding(s, call_id, Finding(**f))
    s.flush()
    finish_call(s, call_id, card)


def default_rep_id(card: dict[str, Any]) -> str | None:
    """For an imported call with no rep named: the company lead's name, as an id."""
    for role in ("cs", "rep"):
        for p in card.get("participants", []):
            if p["role"] == role and p.get("name"):
                return str(p["name"]).strip().lower().replace(" ", "-")[:128]
    return None


@dataclass
class CallFilter:
    rep: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    outcome: str | None = None
    min_score: int | None = None
    max_score: int | None = None
    status: str | None = None
    language: str | None = None
    # The reps whose calls the caller may see; None: every rep's.
    visible_reps: frozenset[str] | None = None
    customer: str | None = None  # part of a customer's name
    churn_reason: str | None = None
    failed: str | None = None  # a rubric id the call failed
    min_duration: float | None = None  # seconds
    max_duration: float | None = None
    sort: str = "-started_at"  # a SORTS key, '-' for descending


def _customer_name() -> Any:
    return (
        select(func.min(CallParticipant.name))
        .where(CallParticipant.call_id == Call.id, CallParticipant.role == "customer")
        .correlate(Call)
        .scalar_subquery()
    )


# The columns the calls table sorts by (GET /v1/calls?sort=...).
SORTS: dict[str, Any] = {
    "started_at": lambda: Call.started_at,
    "rep": lambda: Call.rep_id,
    "customer": _customer_name,
    "language": lambda: Call.language,
    "duration": lambda: Call.duration_s,
    "outcome": lambda: Call.outcome,
    "churn_reason": lambda: Call.churn_reason,
    "score": lambda: Call.score,
    "status": lambda: Call.status,
    "title": lambda: Call.title,
}


def list_calls(s: Session, f: CallFilter, *, limit: int, offset: int) -> tuple[list[Call], int]:
    stmt = select(Call)
    if f.visible_reps is not None:
        stmt = stmt.where(Call.rep_id.in_(sorted(f.visible_reps)))
    if f.rep:
        stmt = stmt.where(Call.rep_id == f.rep)
    if f.date_from:
        stmt = stmt.where(Call.started_at >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Call.started_at < f.date_to)
    if f.outcome:
        stmt = stmt.where(Call.outcome == f.outcome)
    if f.min_score is not None:
        stmt = stmt.where(Call.score >= f.min_score)
    if f.max_score is not None:
        stmt = stmt.where(Call.score <= f.max_score)
    if f.status:
        stmt = stmt.where(Call.status == f.status)
    if f.language:
        stmt = stmt.where(Call.language == f.language)
    if f.churn_reason:
        stmt = stmt.where(Call.churn_reason == f.churn_reason)
    if f.min_duration is not None:
        stmt = stmt.where(Call.duration_s >= f.min_duration)
    if f.max_duration is not None:
        stmt = stmt.where(Call.duration_s <= f.max_duration)
    if f.customer:
        stmt = stmt.where(
            select(CallParticipant.id)
            .where(
                CallParticipant.call_id == Call.id,
                CallParticipant.role == "customer",
                CallParticipant.name.ilike(f"%{_like_escape(f.customer)}%", escape="\\"),
            )
            .exists()
        )
    if f.failed:
        stmt = stmt.where(Call.scorecard[("verdicts", f.failed, "verdict")].as_string() == "fail")
    total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    key = SORTS[f.sort.lstrip("-")]()
    order = key.desc().nulls_last() if f.sort.startswith("-") else key.asc().nulls_last()
    rows = s.scalars(
        stmt.options(selectinload(Call.participants))
        .order_by(order, Call.started_at.desc(), Call.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _iso(when: datetime | None) -> str | None:
    """UTC time as ISO 8601 (SQLite hands back naive datetimes: they were stored as UTC)."""
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


def call_summary(call: Call) -> dict[str, Any]:
    card = call.scorecard or {}
    failed = [k for k, v in card.get("verdicts", {}).items() if v.get("verdict") == "fail"]
    return {
        "id": call.id,
        "title": call.title,
        "language": call.language,
        "rep_id": call.rep_id,
        "status": call.status,
        "source": call.source,
        "started_at": _iso(call.started_at),
        "ended_at": _iso(call.ended_at),
        "duration": round(call.duration_s or 0.0, 2),
        "score": call.score,
        "outcome": call.outcome,
        "churn_reason": call.churn_reason,
        "churn_stage": call.churn_stage,
        "failed_rubrics": failed,
        "has_audio": bool(call.audio_path),
        "participants": [
            {"id": p.participant_id, "role": p.role, "name": p.name} for p in call.participants
        ],
    }


def call_detail(call: Call) -> dict[str, Any]:
    roles = {p.participant_id: p.role for p in call.participants}
    detail = call_summary(call)
    detail["utterances"] = [
        {
            "speaker": u.speaker,
            "role": roles.get(u.speaker, "unknown"),
            "start": u.start,
            "end": u.end,
            "text": u.text,
        }
        for u in call.utterances
    ]
    detail["nudges"] = [
        {
            "rubric": n.rubric,
            "kind": n.kind,
            "at": n.at,
            "to": n.to,
            "text": n.text,
            "severity": n.severity,
            "why": n.why,
        }
        for n in call.nudges
    ]
    detail["findings"] = [
        {
            "rubric": f.rubric,
            "kind": f.kind,
            "at": f.at,
            "speaker": f.speaker,
            "start": f.start,
            "end": f.end,
            "text": f.text,
            "detail": f.detail,
        }
        for f in call.findings
    ]
    detail["verdicts"] = (call.scorecard or {}).get("verdicts")
    return detail


def full_scorecard(call: Call) -> dict[str, Any] | None:
    if call.scorecard is None:
        return None
    detail = call_detail(call)
    card = dict(call.scorecard)
    card["utterances"] = detail["utterances"]
    card["nudges"] = detail["nudges"]
    card["findings"] = detail["findings"]
    return card
