"""Bad input, generated: property-based tests (hypothesis) of every protocol parser, schemathesis
against the app's own OpenAPI schema (in-process, signed in as an admin), and rubric files
mutated at random — each must be refused with its own error, never crash with another."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import HTTPException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.analyze import _participants
from app.core.config import ROOT, Settings
from app.core.events import ROLES
from app.engine.classify import load_classifications
from app.engine.rubric_set import RubricSet
from app.live.protocol import (
    INVALID_PAYLOAD,
    POLICY_VIOLATION,
    ProtocolError,
    StartMessage,
    check_frame,
    parse_json,
    parse_start,
)
from app.nlp.signals import load_contrast
from app.pipeline.callfile import CallFile, CallFileError, parse_call
from app.rubrics.config import RubricFileError
from app.telephony import audiohook, twilio

# JSON values, nested a little.
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4)
    ),
    max_leaves=12,
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID_START = {
    "type": "start",
    "language": "he",
    "sample_rate": 8000,
    "encoding": "pcm_s16le",
    "participants": [
        {"id": "c", "role": "customer", "name": "Noa"},
        {"id": "r", "role": "rep", "name": "Dana"},
    ],
    "rep_id": "dana",
}


def mutate(doc: Any, data: st.DataObject) -> Any:
    """`doc` with one random change somewhere in it: a value replaced, a key dropped or added,
    a list emptied or grown."""
    doc = copy.deepcopy(doc)
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    walk(doc, ())
    path = data.draw(st.sampled_from(paths), label="path")
    if not path:
        return data.draw(JSON, label="whole")
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    op = data.draw(st.sampled_from(["replace", "drop", "add", "dup"]), label="op")
    if op == "replace":
        parent[key] = data.draw(JSON, label="value")
    elif op == "drop":
        del parent[key]
    elif op == "add" and isinstance(parent, dict):
        parent[data.draw(st.text(min_size=1, max_size=10), label="new key")] = data.draw(JSON)
    elif isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    else:
        parent[key] = [parent[key], parent[key]]
    return doc


# --- the live audio protocol ------------------------------------------------------------------


@FAST
@given(st.text(max_size=300) | JSON.map(json.dumps))
def test_parse_json_takes_an_object_with_a_type_or_refuses_1007(text: str) -> None:
    try:
        data = parse_json(text)
    except ProtocolError as err:
        assert err.close_code == INVALID_PAYLOAD and err.message
        return
    assert isinstance(data, dict) and isinstance(data["type"], str)


@FAST
@given(st.data())
def test_parse_start_validates_or_refuses_with_a_close_code(data: st.DataObject) -> None:
    doc = data.draw(st.one_of(st.just(VALID_START), st.dictionaries(st.text(max_size=12), JSON)))
    doc = mutate(doc, data) if data.draw(st.booleans()) else doc
    if not isinstance(doc, dict):
        doc = {"type": "start", "value": doc}
    try:
        start = parse_start(doc)
    except ProtocolError as err:
        assert err.close_code in (INVALID_PAYLOAD, POLICY_VIOLATION) and err.message
        assert err.event()["type"] == "error"
        return
    assert isinstance(start, StartMessage)
    assert 1 <= start.channels <= 8 and start.sample_rate in (8000, 16000, 48000)


@FAST
@given(
    st.sampled_from([8000, 16000, 48000]),
    st.integers(1, 8),
    st.integers(0, 48000 * 2 * 8 * 2),
)
def test_check_frame_takes_whole_frames_up_to_a_second(rate: int, channels: int, n: int) -> None:
    start = StartMessage.model_validate(
        {
            **VALID_START,
            "sample_rate": rate,
            "participants": [{"id": f"p{i}", "role": "customer"} for i in range(channels)],
        }
    )
    ok = n > 0 and n % (2 * channels) == 0 and n <= rate * 2 * channels
    try:
        check_frame(start, bytes(n))
    except ProtocolError as err:
        assert not ok and err.close_code in (INVALID_PAYLOAD, POLICY_VIOLATION)
        return
    assert ok


# --- call files and upload fields -------------------------------------------------------------

CALL = json.loads((ROOT / "tests" / "calls" / "en-cloudhost-rant-kind-stop.call.json").read_text())


@FAST
@given(st.data())
def test_call_files_load_or_are_refused_with_the_field(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["mutated", "bytes", "json"]))
    if kind == "mutated":
        raw: bytes | str = json.dumps(mutate(CALL, data))
    elif kind == "bytes":
        raw = data.draw(st.binary(max_size=200))
    else:
        raw = json.dumps(data.draw(JSON))
    try:
        call = parse_call(raw, "fuzz.call.json")
    except CallFileError as err:
        assert str(err).startswith("fuzz.call.json: ")
        return
    assert isinstance(call, CallFile)
    call.info()
    call.transcripts()


@FAST
@given(st.lists(st.text(max_size=30) | st.sampled_from([f"{r}:Dana" for r in ROLES]), max_size=6))
def test_upload_participants_parse_or_422(values: list[str]) -> None:
    try:
        people = _participants(values)
    except HTTPException as err:
        assert err.status_code == 422 and "participant" in err.detail
        return
    assert [p.role for p in people] == [v.partition(":")[0] for v in values]


# --- telephony --------------------------------------------------------------------------------

TWILIO_START = {
    "event": "start",
    "sequenceNumber": "1",
    "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0",
    "start": {
        "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0",
        "accountSid": "AC123",
        "callSid": "CA123",
        "tracks": ["inbound", "outbound"],
        "customParameters": {"language": "he"},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
    },
}


@FAST
@given(st.data())
def test_twilio_messages_parse_or_are_refused(data: st.DataObject) -> None:
    doc = mutate(TWILIO_START, data) if data.draw(st.booleans()) else data.draw(JSON)
    text = json.dumps(doc) if data.draw(st.booleans()) else data.draw(st.text(max_size=100))
    try:
        message = twilio.parse_message(text)
    except twilio.TwilioError as err:
        assert err.code in (1003, 1007, 1008) and err.reason
        return
    if isinstance(message, twilio.Start):
        try:
            twilio.check_format(message.start)
        except twilio.TwilioError as err:
            assert err.code == POLICY_VIOLATION


AUDIOHOOK_OPEN = {
    "version": "2",
    "id": "e160e428-53e2-487c-977d-96989bf5c99d",
    "type": "open",
    "seq": 1,
    "serverseq": 0,
    "position": "PT0S",
    "parameters": {
        "organizationId": "d7934305-0972-4844-938e-9060eef73d05",
        "conversationId": "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
        "participant": {
            "id": "883efee8-3d6c-4537-b500-6d7ca4b92fa0",
            "ani": "+1-555-555-1234",
            "aniName": "John Doe",
            "dnis": "+1-800-555-6789",
        },
        "media": [
            {"type": "audio", "format": "PCMU", "channels": ["external", "internal"], "rate": 8000}
        ],
        "language": "en-US",
    },
}


@FAST
@given(st.data())
def test_audiohook_messages_parse_or_are_refused(data: st.DataObject) -> None:
    doc = mutate(AUDIOHOOK_OPEN, data) if data.draw(st.booleans()) else data.draw(JSON)
    text = json.dumps(doc) if data.draw(st.booleans()) else data.draw(st.text(max_size=100))
    try:
        message = audiohook.parse_client_message(text)
        audiohook.check_parameters(message)
    except audiohook.AudioHookError as err:
        assert err.info
        return
    if message.type == "open":
        audiohook.choose_medium(message.parameters["media"])


# --- rubric files -----------------------------------------------------------------------------

RUBRICS = ROOT / "rubrics"


@pytest.fixture(scope="module")
def rubric_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rubrics") / "rubrics"
    shutil.copytree(RUBRICS, folder)
    return folder


def _load_all(folder: Path) -> None:
    RubricSet.load(folder)
    load_classifications(folder / "classifications.yaml")
    load_contrast(folder / "contrast.yaml")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_rubric_files_are_refused_with_file_and_field(
    rubric_copy: Path, data: st.DataObject
) -> None:
    """One file of a copy of the real rubric folder changed at random (a value, a key, the
    text cut or spliced, the file gone): the folder loads, or is refused with a RubricFileError
    naming that file (or the folder) and a field — never another exception."""
    name = data.draw(st.sampled_from(sorted(p.name for p in RUBRICS.glob("*.yaml"))))
    path = rubric_copy / name
    original = path.read_text(encoding="utf-8")
    how = data.draw(st.sampled_from(["tree", "tree", "tree", "cut", "insert", "delete"]))
    try:
        if how == "tree":
            doc = mutate(yaml.safe_load(original), data)
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        elif how == "cut":
            path.write_text(original[: data.draw(st.integers(0, len(original)))], encoding="utf-8")
        elif how == "insert":
            at = data.draw(st.integers(0, len(original)))
            spliced = original[:at] + data.draw(st.text(max_size=20)) + original[at:]
            path.write_text(spliced, encoding="utf-8")
        else:
            path.unlink()
        try:
            _load_all(rubric_copy)
        except RubricFileError as err:
            assert err.field and err.reason
            assert Path(err.path).name in (name, rubric_copy.name), (err.path, name)
    finally:
        path.write_text(original, encoding="utf-8")


# --- the HTTP API against its own schema ------------------------------------------------------


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, dict[str, str]]]:
    """The app in-process (ASGI, its lifespan run once), its schema as it serves it, and an
    admin's credentials."""
    import schemathesis
    from starlette.testclient import TestClient

    from app.api.main import create_app
    from tests.accounts import admin_headers

    data = tmp_path_factory.mktemp("data")
    shutil.copytree(RUBRICS, data / "rubrics")  # an admin may PUT rubric files: a copy
    config = Settings(rubrics_dir=data / "rubrics", data_dir=data)
    headers = admin_headers(config)
    with TestClient(create_app(config), raise_server_exceptions=False) as client:
        schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
        yield client, schema, headers


# Uploads and simulated calls run the Whisper model (tests/test_api.py and the demo's tests cover
# their refusals); websockets are not in the schema.
SKIP = ("/v1/analyze", "/v1/calls/import", "/v1/demo/simulate", "/v1/demo/simulate/{call_id}/stop")


def test_api_conforms_to_its_schema_and_never_errors(api: Any) -> None:
    """Every operation of the OpenAPI schema, with generated parameters and bodies, as an admin:
    no 5xx, and every response conforms to the schema."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    client, schema, headers = api
    failures: list[str] = []
    tested = 0
    sent = [0]
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path in SKIP:
            continue
        tested += 1

        def check(op: Any) -> Any:
            @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy())
            def run(case: Any) -> None:
                kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
                response = client.request(**_for_httpx(kwargs))
                sent[0] += 1
                try:
                    case.validate_response(
                        response, checks=[not_a_server_error, response_schema_conformance]
                    )
                except Exception as exc:
                    failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:400]}")
                    raise

            return run

        try:
            check(op)()
        except (Exception, BaseExceptionGroup) as exc:  # every operation gets its turn
            if not failures or not failures[-1].startswith(f"{op.method.upper()} {op.path}:"):
                failures.append(f"{op.method.upper()} {op.path}: {type(exc).__name__}: {exc}")
    assert tested >= 10 and sent[0] >= 5 * tested  # it did exercise every operation
    assert not failures, "\n".join(failures)


def _for_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis's transport arguments (requests-style) for the httpx-based test client."""
    out = {
        k: v
        for k, v in kwargs.items()
        if k in ("method", "url", "headers", "params", "json", "files")
    }
    if kwargs.get("cookies"):  # per-request cookies are deprecated in httpx: as a header
        jar = "; ".join(f"{k}={v}" for k, v in kwargs["cookies"].items())
        out["headers"] = {**(out.get("headers") or {}), "cookie": jar}
    if "data" in kwargs:
        key = "content" if isinstance(kwargs["data"], bytes | str) else "data"
        out[key] = kwargs["data"]
    return out
