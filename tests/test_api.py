"""The HTTP API in-process: health, OpenAPI, POST /v1/analyze with transcripts and bad uploads.
None of these load a Whisper model."""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from app.api.main import create_app
from app.core.config import Settings
from app.pipeline.analyze import analyze_transcript
from app.pipeline.resources import Resources
from app.rubrics.config import RUBRIC_IDS
from tests.accounts import admin_headers
from tests.conftest import CALLS_DIR, labelled_call

CALL_NAME = "en-cloudhost-rant-kind-stop"
CALL_PATH = CALLS_DIR / f"{CALL_NAME}.call.json"


@asynccontextmanager
async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run (database, call hub), served in-process."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers=admin_headers(app.state.settings),
        ) as client,
    ):
        yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(settings)) as c:
        yield c


def upload(name: str, data: bytes, content_type: str) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, content_type)}


def assert_detail(response: httpx.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert "\n" not in detail
    for word in words:
        assert word in detail, detail
    return detail


# --- health and docs --------------------------------------------------------------------------


async def test_health(client: httpx.AsyncClient) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["rubrics"] == sorted(RUBRIC_IDS)
    assert body["whisper_model"]
    assert body["whisper_model_he"]


async def test_openapi_lists_analyze(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert "/v1/analyze" in spec["paths"]
    assert "post" in spec["paths"]["/v1/analyze"]
    assert "/health" in spec["paths"]


async def test_docs_page(client: httpx.AsyncClient) -> None:
    r = await client.get("/docs")
    assert r.status_code == 200
    assert "swagger" in r.text.lower()


# --- analyse a labelled transcript ---------------------------------------------------------


async def test_analyze_labelled_call(client: httpx.AsyncClient, resources: Resources) -> None:
    r = await client.post(
        "/v1/analyze", files=upload(CALL_PATH.name, CALL_PATH.read_bytes(), "application/json")
    )
    assert r.status_code == 200, r.text
    card = r.json()
    assert card["call_id"] == CALL_NAME
    assert card["language"] == "en"
    assert set(card["verdicts"]) == set(RUBRIC_IDS)
    for v in card["verdicts"].values():
        assert set(v) == {"verdict", "reason", "evidence", "confidence", "judged_by"}
        assert v["verdict"] in {"pass", "fail", "na"}
        assert 0.0 <= v["confidence"] <= 1.0 and v["judged_by"] is None  # no judge configured
    assert card["verdicts"]["kind_rant_interrupt"]["verdict"] == "pass"
    assert card["verdicts"]["cs_leads"]["verdict"] == "pass"
    rant = [n for n in card["nudges"] if n["rubric"] == "kind_rant_interrupt"]
    assert len(rant) == 1
    assert rant[0]["at"] == pytest.approx(148.4, abs=3.0)
    # the same scorecard as the transcript driver gives, through JSON
    direct = analyze_transcript(resources, labelled_call(CALL_NAME)).to_dict()
    assert card == json.loads(json.dumps(direct))


async def test_analyze_json_by_content_type(client: httpx.AsyncClient) -> None:
    """A transcript is recognised by its content type even without the .json name."""
    r = await client.post(
        "/v1/analyze", files=upload("call", CALL_PATH.read_bytes(), "application/json")
    )
    assert r.status_code == 200, r.text
    assert r.json()["call_id"] == CALL_NAME


async def test_analyze_language_override(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/analyze",
        files=upload(CALL_PATH.name, CALL_PATH.read_bytes(), "application/json"),
        data={"language": "he"},
    )
    assert r.status_code == 200, r.text
    card = r.json()
    assert card["language"] == "he"
    # nudges now come in Hebrew
    assert card["nudges"]
    assert all(any("\u0590" <= ch <= "\u05ff" for ch in n["text"]) for n in card["nudges"])


# --- bad uploads ----------------------------------------------------------------------------


async def test_invalid_json(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/analyze", files=upload("x.call.json", b"{not json", "application/json")
    )
    assert_detail(r, 422, "x.call.json", "not valid JSON")


async def test_json_breaking_the_schema(client: httpx.AsyncClient) -> None:
    raw = json.loads(CALL_PATH.read_text(encoding="utf-8"))
    raw["participants"][0]["role"] = "manager"
    r = await client.post(
        "/v1/analyze", files=upload("x.call.json", json.dumps(raw).encode(), "application/json")
    )
    assert_detail(r, 422, "x.call.json", "participants.0.role")

    raw = json.loads(CALL_PATH.read_text(encoding="utf-8"))
    raw["utterances"][3]["speaker"] = "ghost"
    r = await client.post(
        "/v1/analyze", files=upload("y.call.json", json.dumps(raw).encode(), "application/json")
    )
    assert_detail(r, 422, "y.call.json", "'ghost' is not a participant")


async def test_text_file_is_unsupported(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/analyze", files=upload("notes.txt", b"call notes\n", "text/plain"))
    assert_detail(r, 415, "notes.txt", ".wav", "call.json")


async def test_bad_participant_role(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/analyze",
        files=upload("call.wav", b"RIFF....WAVE", "audio/wav"),
        data={"participant": ["customer", "boss:Rafi"]},
    )
    assert_detail(r, 422, "participant 2", "'boss'", "customer, cs, executive, support, rep")


async def test_bad_language_field(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/analyze",
        files=upload(CALL_PATH.name, CALL_PATH.read_bytes(), "application/json"),
        data={"language": "fr"},
    )
    assert r.status_code == 422
    assert any(d["loc"][-1] == "language" for d in r.json()["detail"])


async def test_missing_file_field(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/analyze", data={"language": "en"})
    assert r.status_code == 422
    assert any(d["loc"][-1] == "file" for d in r.json()["detail"])


@pytest.mark.parametrize(
    ("name", "content_type"), [("big.wav", "audio/wav"), ("big.call.json", "application/json")]
)
async def test_too_large_upload(settings: Settings, name: str, content_type: str) -> None:
    small = Settings(max_upload_mb=1, rubrics_dir=settings.rubrics_dir, data_dir=settings.data_dir)
    async with client_for(create_app(small)) as client:
        r = await client.post("/v1/analyze", files=upload(name, b"\0" * (2 << 20), content_type))
    assert_detail(r, 413, "large")


async def test_error_statuses_warn_nothing(client: httpx.AsyncClient) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = await client.post(
            "/v1/analyze", files=upload("x.call.json", b"{not json", "application/json")
        )
    assert r.status_code == 422
