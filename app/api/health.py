from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import HubDep, ResourcesDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and what the service runs with")
async def health(resources: ResourcesDep, hub: HubDep) -> dict[str, object]:
    s = resources.settings
    asr = resources.asr_if_started
    return {
        "status": "ok",
        "live_calls": len(hub.calls),
        "transcription_backlog": asr.backlog if asr is not None else 0,
        "transcription": asr.stats() if asr is not None else None,
        "whisper_model": s.whisper_model,
        "whisper_model_he": s.model_for("he"),
        "rubrics": sorted(resources.rubrics.specs),
    }
