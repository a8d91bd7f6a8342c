from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ResourcesDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and what the service runs with")
async def health(resources: ResourcesDep) -> dict[str, object]:
    s = resources.settings
    return {
        "status": "ok",
        "whisper_model": s.whisper_model,
        "whisper_model_he": s.model_for("he"),
        "rubrics": sorted(resources.rubrics.specs),
    }
