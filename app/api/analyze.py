"""`POST /v1/analyze`: a recording or a `*.call.json` in, a scorecard out (nothing stored)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from starlette.concurrency import run_in_threadpool

from app.api.auth import PrincipalDep
from app.api.deps import ResourcesDep
from app.audio.io import AudioError
from app.core.events import ROLES, Participant
from app.pipeline.analyze import analyze_recording, analyze_transcript
from app.pipeline.callfile import CallFile, CallFileError, parse_call
from app.pipeline.resources import Resources

router = APIRouter(prefix="/v1", tags=["analysis"])

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".webm", ".mka"}
_CHUNK = 1 << 20


def _participants(values: list[str]) -> list[Participant]:
    out = []
    for i, value in enumerate(values):
        role, _, name = value.partition(":")
        if role not in ROLES:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"participant {i + 1}: role must be one of {', '.join(ROLES)}, got {role!r}",
            )
        out.append(Participant(f"{role}{i + 1}", role, name or role.capitalize()))
    return out


def is_call_file(file: UploadFile) -> bool:
    return (file.filename or "").endswith(".json") or file.content_type == "application/json"


async def read_call_upload(file: UploadFile, limit: int, language: str | None) -> CallFile:
    """An uploaded *.call.json, size-limited and validated (413 / 422 with the reason)."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "upload too large")
    try:
        call = parse_call(data, file.filename or "upload")
    except CallFileError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return call.model_copy(update={"language": language}) if language else call


def _spool(upload: UploadFile, limit_bytes: int, suffix: str) -> Path:
    """Copy the upload to a temporary file (in a worker thread), refusing it past the limit."""
    size = 0
    upload.file.seek(0)
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as tmp:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > limit_bytes:
                break
            tmp.write(chunk)
    path = Path(tmp.name)
    if size > limit_bytes:
        path.unlink(missing_ok=True)
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"upload larger than {limit_bytes >> 20} MB"
        )
    return path


def _analyze_audio(
    resources: Resources,
    path: Path,
    call_id: str,
    language: str | None,
    participants: list[Participant],
) -> dict[str, Any]:
    return analyze_recording(resources, path, call_id, language, participants).to_dict()


@router.post(
    "/analyze",
    summary="Score a recording or a labelled transcript",
    description=(
        "Upload a `*.call.json` transcript, or a recording (WAV, FLAC, MP3, …) with one channel "
        "per participant, in the order of the `participant` fields (`ROLE` or `ROLE:NAME`; roles: "
        "customer, cs, executive, support, rep). A mono recording of a whole call is transcribed; "
        "rubrics that need one channel per speaker then say `na`. The call's language comes from "
        "the transcript or the `language` field; for a recording without it, Hebrew or English is "
        "detected. Nothing is stored."
    ),
)
async def analyze(
    _: PrincipalDep,
    resources: ResourcesDep,
    file: Annotated[UploadFile, File(description="*.call.json or an audio file")],
    language: Annotated[str | None, Form(pattern="^(he|en)$")] = None,
    participant: Annotated[list[str] | None, Form()] = None,
) -> dict[str, Any]:
    name = file.filename or "upload"
    suffix = Path(name).suffix.lower()
    limit = resources.settings.max_upload_mb << 20
    if is_call_file(file):
        call = await read_call_upload(file, limit, language)
        card = await run_in_threadpool(analyze_transcript, resources, call)
        return card.to_dict()
    if suffix not in AUDIO_SUFFIXES and not (file.content_type or "").startswith("audio/"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"{name}: expected a *.call.json or an audio file "
            f"({', '.join(sorted(AUDIO_SUFFIXES))})",
        )
    people = _participants(participant or [])
    path = await run_in_threadpool(_spool, file, limit, suffix or ".audio")
    try:
        return await run_in_threadpool(
            _analyze_audio, resources, path, Path(name).stem or "upload", language, people
        )
    except AudioError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    finally:
        path.unlink(missing_ok=True)
