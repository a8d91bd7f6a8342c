"""`/v1/demo`: the demo calls on offer, and "simulate a call" (streamed through the call hub)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from app.api.auth import PrincipalDep
from app.demo.simulate import DemoError, Simulator, demo_calls
from app.live.protocol import ProtocolError

router = APIRouter(prefix="/v1/demo", tags=["demo"])


class SimulateIn(BaseModel):
    call: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    rep: str | None = Field(None, max_length=128, description="default: the signed-in user")
    speed: float = Field(1.0, ge=0.5, le=20.0, description="× real time (call time is unchanged)")


def simulator(request: Request) -> Simulator:
    state = request.app.state
    sim = getattr(state, "simulator", None)
    if sim is None:
        settings = state.settings
        sim = state.simulator = Simulator(state.hub, settings.demo_calls_dir, settings.cache_dir)
    return sim  # type: ignore[no-any-return]


@router.get("/calls", summary="The demo calls a simulation can play")
async def list_demo_calls(request: Request, _: PrincipalDep) -> list[dict[str, Any]]:
    return [asdict(c) for c in demo_calls(request.app.state.settings.demo_calls_dir)]


@router.post(
    "/simulate",
    status_code=status.HTTP_201_CREATED,
    summary="Stream a demo call, spoken by espeak-ng, as a live call of a rep",
    description="The call is opened in the call hub like any live call (rep: you, or `rep` "
    "when you may see that rep's calls) and streamed in real time (`speed` × faster); watch it "
    "at `/panel?call={call_id}` or over `WS /v1/calls/{call_id}/events`.",
)
async def simulate(body: SimulateIn, request: Request, principal: PrincipalDep) -> dict[str, Any]:
    rep_id = body.rep or principal.username
    if not principal.can_view(rep_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you may not see the calls of {rep_id}")
    try:
        call_id = await simulator(request).start(body.call, rep_id, body.speed)
    except DemoError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except ProtocolError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.message) from exc
    return {"call_id": call_id, "rep_id": rep_id, "panel": f"/panel?call={call_id}"}


@router.post("/simulate/{call_id}/stop", summary="End a simulation now (the call is scored)")
async def stop(call_id: str, request: Request, principal: PrincipalDep) -> dict[str, Any]:
    sim = simulator(request)
    live = request.app.state.hub.calls.get(call_id)
    if live is None or not sim.running(call_id) or not principal.can_view(live.start.rep_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no simulation {call_id} running")
    await sim.stop(call_id)
    return {"call_id": call_id, "stopped": True}
