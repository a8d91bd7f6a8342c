"""For the team lead: the calls in progress (`/live` tiles, the panel's "follow a rep"), and
trends per rep and per team (score over time, failure rate per rubric)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.auth import PrincipalDep
from app.api.deps import HubDep, StoreDep
from app.auth.roles import Principal
from app.live.session import LiveCall
from app.store.models import Call, User

router = APIRouter(tags=["stats"])


def live_tile(live: LiveCall) -> dict[str, Any]:
    """What a tile shows: who, how long, who holds the floor, the latest nudge, red marks."""
    metrics: dict[str, Any] | None = None
    latest_nudge: dict[str, Any] | None = None
    nudged: dict[str, str] = {}
    failing: set[str] = set()
    for event in live.backlog():
        kind = event.get("type")
        if kind == "metrics":
            metrics = event
        elif kind == "nudge":
            latest_nudge = {k: event.get(k) for k in ("rubric", "text", "severity", "at", "why")}
            nudged[event["rubric"]] = event.get("severity", "warning")
            # A nudge means the rubric is being broken now; "info" ones are only reminders.
            if event.get("severity") in ("warning", "critical"):
                failing.add(event["rubric"])
    names = {p.id: p.name for p in live.start.participants}
    customer = next((p for p in live.start.participants if p.role == "customer"), None)
    floor_speaker = (metrics or {}).get("floor_speaker")
    return {
        "call_id": live.call_id,
        "rep_id": live.start.rep_id,
        "title": live.start.title,
        "language": live.start.language,
        "status": live.status,
        "connected": live.producer_connected,
        "customer": customer.name if customer else None,
        "participants": [p.model_dump() for p in live.start.participants],
        "duration": round(live.pipeline.now, 1),
        "floor": (metrics or {}).get("floor"),
        "floor_speaker": floor_speaker,
        "floor_name": names.get(floor_speaker) if floor_speaker else None,
        "floor_seconds": (metrics or {}).get("floor_seconds", 0.0),
        "company_share": (metrics or {}).get("company_share"),
        "customer_share": (metrics or {}).get("customer_share"),
        "offers": (metrics or {}).get("offers", 0),
        "latest_nudge": latest_nudge,
        "nudged_rubrics": sorted(nudged),
        "failing_rubrics": sorted(failing),
    }


@router.get("/v1/live", summary="Calls in progress that you may see, as the /live tiles show them")
async def live_calls(
    principal: PrincipalDep,
    hub: HubDep,
    rep: Annotated[str | None, Query(max_length=128, description="only this rep's")] = None,
) -> dict[str, Any]:
    calls = [
        live
        for live in list(hub.calls.values())
        if principal.can_view(live.start.rep_id) and (rep is None or live.start.rep_id == rep)
    ]
    current = hub.live_for_rep(rep) if rep is not None and principal.can_view(rep) else None
    return {
        "items": [live_tile(c) for c in calls],
        "current": current.call_id if current is not None and current.status == "live" else None,
    }


def _team_reps(s: Session, team: str) -> set[str]:
    return set(s.scalars(select(User.username).where(User.team == team)))


def trends(
    s: Session,
    principal: Principal,
    rep: str | None,
    team: str | None,
    since: datetime,
    bucket: str,
) -> dict[str, Any]:
    stmt = select(Call).where(Call.status == "ended", Call.started_at >= since)
    visible = principal.visible_reps()
    if visible is not None:
        stmt = stmt.where(Call.rep_id.in_(sorted(visible)))
    if rep:
        stmt = stmt.where(Call.rep_id == rep)
    if team:
        stmt = stmt.where(Call.rep_id.in_(sorted(_team_reps(s, team))))
    by_period: dict[str, list[int]] = defaultdict(list)
    by_rep_period: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    applicable: dict[str, int] = defaultdict(int)
    failed: dict[str, int] = defaultdict(int)
    reps: set[str] = set()
    n = 0
    for call in s.scalars(stmt.order_by(Call.started_at)):
        n += 1
        when = call.started_at if call.started_at.tzinfo else call.started_at.replace(tzinfo=UTC)
        day = when.date()
        period = (day - timedelta(days=day.weekday())) if bucket == "week" else day
        key = period.isoformat()
        rid = call.rep_id or "—"
        reps.add(rid)
        if call.score is not None:
            by_period[key].append(call.score)
            by_rep_period[rid][key].append(call.score)
        for rubric, v in ((call.scorecard or {}).get("verdicts") or {}).items():
            if v.get("verdict") in ("pass", "fail"):
                applicable[rubric] += 1
                failed[rubric] += v.get("verdict") == "fail"
    periods = sorted(by_period)

    def avg(xs: list[int]) -> float | None:
        return round(sum(xs) / len(xs), 1) if xs else None

    return {
        "calls": n,
        "bucket": bucket,
        "periods": periods,
        "score": [avg(by_period[p]) for p in periods],
        "calls_per_period": [len(by_period[p]) for p in periods],
        "per_rep": {
            r: [avg(by_rep_period[r].get(p, [])) for p in periods] for r in sorted(by_rep_period)
        },
        "rubrics": [
            {
                "rubric": r,
                "applicable": applicable[r],
                "failed": failed[r],
                "failure_rate": round(failed[r] / applicable[r], 3),
            }
            for r in sorted(applicable, key=lambda r: (-failed[r] / applicable[r], r))
        ],
        "reps": sorted(reps),
    }


@router.get("/v1/stats/trends", summary="Score over time and failure rate per rubric")
async def get_trends(
    principal: PrincipalDep,
    store: StoreDep,
    rep: Annotated[str | None, Query(max_length=128)] = None,
    team: Annotated[str | None, Query(max_length=128)] = None,
    days: Annotated[int, Query(ge=1, le=3660)] = 90,
    bucket: Annotated[str, Query(pattern="^(day|week)$")] = "day",
) -> dict[str, Any]:
    if rep is not None and not principal.can_view(rep):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you may not see the calls of {rep}")
    if team is not None and principal.role == "lead" and team != principal.team:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a lead sees their own team")
    if team is not None and principal.role == "rep":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "team trends are for leads and trainers")
    since = datetime.now(UTC) - timedelta(days=days)
    result = await store.read(trends, principal, rep, team, since, bucket)
    result.update({"rep": rep, "team": team, "days": days})
    return result  # type: ignore[no-any-return]


@router.get("/v1/stats/teams", summary="Teams and their reps (for the trend filters)")
async def teams(principal: PrincipalDep, store: StoreDep) -> dict[str, list[str]]:
    def read(s: Session) -> dict[str, list[str]]:
        stmt = select(User.team, User.username).where(User.role == "rep", User.team.is_not(None))
        if principal.role == "lead":
            stmt = stmt.where(User.team == principal.team)
        elif principal.role not in ("admin", "trainer"):
            return {}
        out: dict[str, list[str]] = defaultdict(list)
        for team, username in s.execute(stmt.order_by(User.team, User.username)):
            out[team].append(username)
        return dict(out)

    return await store.read(read)  # type: ignore[no-any-return]
