"""The rubric files: anyone signed in reads what each rubric asks; an admin edits the files.

An edit is validated exactly as start-up validates the folder (every file, every detector's
settings) before it is written; a refused edit changes nothing and says which file, field and
reason. The previous version is kept under `<data_dir>/rubric-history/`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from app.api.auth import AdminDep, PrincipalDep
from app.api.deps import ResourcesDep
from app.engine.classify import load_classifications
from app.engine.rubric_set import RubricSet
from app.nlp.signals import load_contrast
from app.pipeline.resources import Resources
from app.rubrics.config import RUBRIC_IDS, RubricFileError
from app.store.models import utcnow

router = APIRouter(prefix="/v1/rubrics", tags=["rubrics"])
EXTRA_FILES = ("classifications", "contrast")
MAX_FILE = 256 * 1024


def _names() -> tuple[str, ...]:
    return (*RUBRIC_IDS, *EXTRA_FILES)


@router.get("", summary="The rubrics: id, title, rule, why and sources, in Hebrew and English")
async def list_rubrics(_: PrincipalDep, resources: ResourcesDep) -> list[dict[str, Any]]:
    out = []
    for rubric_id in RUBRIC_IDS:
        spec = resources.rubrics.specs[rubric_id]
        out.append(
            {
                "id": rubric_id,
                "title": spec.title.model_dump(),
                "rule": spec.rule.model_dump(),
                "why": spec.why.model_dump(),
                "source": spec.source,
            }
        )
    return out


def _path(resources: Resources, name: str) -> Path:
    if name not in _names():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no rubric file {name!r}")
    return resources.settings.rubrics_dir / f"{name}.yaml"


@router.get(
    "/{name}/file",
    summary="A rubric file as YAML (admin)",
    response_class=PlainTextResponse,
)
async def get_file(name: str, _: AdminDep, resources: ResourcesDep) -> PlainTextResponse:
    path = _path(resources, name)
    text = await run_in_threadpool(path.read_text, encoding="utf-8")
    return PlainTextResponse(text, media_type="application/yaml")


def _validate_folder(folder: Path) -> None:
    RubricSet.load(folder)
    load_classifications(folder / "classifications.yaml")
    load_contrast(folder / "contrast.yaml")


def _replace(resources: Resources, name: str, text: str) -> None:
    folder = resources.settings.rubrics_dir
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "rubrics"
        shutil.copytree(folder, trial)
        (trial / f"{name}.yaml").write_text(text, encoding="utf-8")
        try:
            _validate_folder(trial)
        except RubricFileError as exc:
            # Name the real file, not the trial copy.
            raise RubricFileError(folder / f"{name}.yaml", exc.field, exc.reason) from exc
    target = folder / f"{name}.yaml"
    history = resources.settings.data_dir / "rubric-history"
    history.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    shutil.copy2(target, history / f"{name}-{stamp}.yaml")
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp_name, target)
    resources.reload_rubrics()


@router.put(
    "/{name}/file",
    summary="Replace a rubric file (admin); validated first, applied to calls that start after",
    openapi_extra={
        "requestBody": {"content": {"application/yaml": {"schema": {"type": "string"}}}}
    },
)
async def put_file(
    name: str, request: Request, _: AdminDep, resources: ResourcesDep
) -> dict[str, Any]:
    _path(resources, name)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FILE:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE, f"a rubric file is at most {MAX_FILE} bytes"
            )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "the file must be UTF-8 text"
        ) from exc
    try:
        await run_in_threadpool(_replace, resources, name, text)
    except RubricFileError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            {"file": f"{name}.yaml", "field": exc.field, "reason": exc.reason},
        ) from exc
    return {"name": name, "status": "applied to calls that start from now"}
