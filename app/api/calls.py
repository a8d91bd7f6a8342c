"""Stored calls: list with filters, one call, its scorecard, its recording; import a call."""

from __future__ import annotations

import mimetypes
import re
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from app.api.analyze import (
    AUDIO_SUFFIXES,
    _participants,
    _spool,
    is_call_file,
    read_call_upload,
)
from app.api.auth import PrincipalDep, require
from app.api.deps import HubDep, ResourcesDep, StoreDep
from app.audio.io import AudioError
from app.auth.roles import IMPORT_ROLES, Principal
from app.live.protocol import CALL_ID
from app.pipeline.analyze import analyze_recording, analyze_transcript
from app.pipeline.resources import Resources
from app.privacy.audio import Span, merge, silence_recording
from app.store import repo

router = APIRouter(prefix="/v1/calls", tags=["calls"])
_MEDIA_TYPES = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".webm": "audio/webm",
}


@router.get("", summary="List calls (newest first), with filters and pagination")
async def list_calls(
    store: StoreDep,
    principal: PrincipalDep,
    rep: Annotated[str | None, Query(max_length=128)] = None,
    date_from: Annotated[datetime | None, Query(description="ISO date or date-time")] = None,
    date_to: Annotated[
        datetime | None, Query(description="ISO date or date-time (exclusive)")
    ] = None,
    outcome: Annotated[Literal["saved", "churned", "undecided"] | None, Query()] = None,
    min_score: Annotated[int | None, Query(ge=0, le=100)] = None,
    max_score: Annotated[int | None, Query(ge=0, le=100)] = None,
    status_: Annotated[Literal["live", "ended"] | None, Query(alias="status")] = None,
    language: Annotated[Literal["he", "en"] | None, Query()] = None,
    customer: Annotated[str | None, Query(max_length=200, description="part of the name")] = None,
    churn_reason: Annotated[str | None, Query(max_length=32)] = None,
    min_duration: Annotated[float | None, Query(ge=0, description="seconds")] = None,
    max_duration: Annotated[float | None, Query(ge=0, description="seconds")] = None,
    failed: Annotated[
        str | None, Query(max_length=64, pattern=r"^[a-z_]+$", description="a failed rubric")
    ] = None,
    sort: Annotated[
        str,
        Query(
            pattern=rf"^-?({'|'.join(repo.SORTS)})$",
            description="a column, '-' first for descending: " + ", ".join(repo.SORTS),
        ),
    ] = "-started_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    f = repo.CallFilter(
        rep,
        date_from,
        date_to,
        outcome,
        min_score,
        max_score,
        status_,
        language,
        visible_reps=principal.visible_reps(),
        customer=customer,
        churn_reason=churn_reason,
        min_duration=min_duration,
        max_duration=max_duration,
        failed=failed,
        sort=sort,
    )
    calls, total = await store.read(lambda s: _listed(s, f, limit, offset))
    return {"total": total, "limit": limit, "offset": offset, "items": calls}


def _listed(
    s: Any, f: repo.CallFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    rows, total = repo.list_calls(s, f, limit=limit, offset=offset)
    return [repo.call_summary(c) for c in rows], total


async def _get(store: Any, principal: Principal, call_id: str, fn: Any) -> Any:
    """`fn(call)` for a call the principal may see; 404 otherwise (another rep's call is
    answered exactly like a call that doesn't exist)."""

    def read(s: Any) -> Any:
        call = repo.get_call(s, call_id, full=True)
        if call is None or not principal.can_view(call.rep_id):
            return None
        return fn(call)

    result = await store.read(read)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no call {call_id}")
    return result


@router.get("/{call_id}", summary="One call: participants, utterances, nudges, findings, verdicts")
async def get_call(call_id: str, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return await _get(store, principal, call_id, repo.call_detail)  # type: ignore[no-any-return]


@router.get("/{call_id}/scorecard", summary="The call's scorecard (404 until the call has ended)")
async def get_scorecard(call_id: str, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    card = await _get(store, principal, call_id, lambda c: repo.full_scorecard(c) or {})
    if not card:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"call {call_id} has no scorecard yet")
    return card  # type: ignore[no-any-return]


@router.get(
    "/{call_id}/audio",
    summary="The call's recording (WAV); HTTP range requests for seeking",
    response_class=FileResponse,
)
async def get_audio(call_id: str, store: StoreDep, principal: PrincipalDep) -> FileResponse:
    path = Path(await _get(store, principal, call_id, lambda c: c.audio_path or ""))
    ok = path.suffix in AUDIO_SUFFIXES and await run_in_threadpool(path.exists)
    if not ok:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"call {call_id} has no recording")
    media_type = _MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return FileResponse(path, media_type=media_type, filename=f"{call_id}{path.suffix}")


def _import_audio(
    resources: Resources,
    tmp: Path,
    call_id: str,
    language: str | None,
    people: list[Any],
    suffix: str,
) -> tuple[dict[str, Any], Path]:
    private: list[Span] = []  # where the recording says what its transcript had redacted
    card = analyze_recording(resources, tmp, call_id, language, people, private=private).to_dict()
    target = resources.settings.audio_dir / f"{call_id}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(tmp), target)
    if private:
        target = silence_recording(target, merge(private))
    return card, target


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    summary="Import a recording or a *.call.json: analysed and stored",
    description="Like `POST /v1/analyze`, and the call is stored (with its recording, if any). "
    "`call_id` defaults to the transcript's id, or a new id for a recording; an id already "
    "stored is refused with 409.",
)
async def import_call(
    _: Annotated[Principal, require(IMPORT_ROLES)],
    resources: ResourcesDep,
    store: StoreDep,
    hub: HubDep,
    file: Annotated[UploadFile, File(description="*.call.json or an audio file")],
    language: Annotated[str | None, Form(pattern="^(he|en)$")] = None,
    participant: Annotated[list[str] | None, Form()] = None,
    call_id: Annotated[str | None, Form(max_length=128)] = None,
    rep_id: Annotated[str | None, Form(max_length=128)] = None,
    title: Annotated[str | None, Form(max_length=500)] = None,
) -> dict[str, Any]:
    if call_id is not None and not CALL_ID.match(call_id):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "call_id: 1-128 letters, digits, '.', '_' or '-'"
        )
    name = file.filename or "upload"
    limit = resources.settings.max_upload_mb << 20
    suffix = Path(name).suffix.lower()
    if is_call_file(file):
        call = await read_call_upload(file, limit, language)
        cid = call_id or _safe_id(call.id)
        await _refuse_existing(store, hub, cid)
        call = call.model_copy(update={"id": cid})
        card = (await run_in_threadpool(analyze_transcript, resources, call)).to_dict()
        audio_path, rate, channels = None, None, None
        call_title = title or call.title
    else:
        if suffix not in AUDIO_SUFFIXES and not (file.content_type or "").startswith("audio/"):
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                f"{name}: expected a *.call.json or an audio file",
            )
        cid = call_id or f"{_safe_id(Path(name).stem)}-{uuid.uuid4().hex[:8]}"
        await _refuse_existing(store, hub, cid)
        people = _participants(participant or [])
        tmp = await run_in_threadpool(_spool, file, limit, suffix or ".audio")
        try:
            card, stored = await run_in_threadpool(
                _import_audio, resources, tmp, cid, language, people, suffix or ".audio"
            )
        except AudioError as exc:
            tmp.unlink(missing_ok=True)
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        except Exception:
            tmp.unlink(missing_ok=True)
            raise
        audio_path, rate, channels = str(stored), None, len(card["participants"]) or 1
        call_title = title or Path(name).stem
    await store.write(
        repo.store_analysis,
        cid,
        card,
        call_title,
        "import",
        audio_path,
        rate,
        channels,
        rep_id or repo.default_rep_id(card),
    )
    if hub.judge is not None:  # the optional LLM judge, in the background
        hub.judge.schedule(cid, card)
    return {"call_id": cid, "scorecard": card, "judging": hub.judge is not None}


def _safe_id(raw: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-.")[:100]
    return cleaned or uuid.uuid4().hex[:12]


async def _refuse_existing(store: Any, hub: Any, call_id: str) -> None:
    exists = call_id in hub.calls or await store.read(repo.get_call, call_id) is not None
    if exists:
        raise HTTPException(status.HTTP_409_CONFLICT, f"call {call_id} already exists")
