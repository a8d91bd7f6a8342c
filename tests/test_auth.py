"""Accounts and roles over the real app and a real SQLite file: who may read and do what."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api.main import create_app
from app.core.config import ROOT, Settings
from app.pipeline.analyze import analyze_transcript
from app.pipeline.resources import Resources
from app.store import repo
from app.store.db import Database
from tests.accounts import PASSWORD, add_account
from tests.conftest import labelled_call

CALL = "en-cad-licence-winback-vp-opens"


def _wav(path: Path) -> str:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros((16000, 2), dtype="<i2").tobytes())
    return str(path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, resources: Resources) -> Iterator[dict]:
    """Two teams; a call of rep-a (team north, with a recording) and one of rep-b (south)."""
    data = tmp_path_factory.mktemp("auth")
    settings = Settings(rubrics_dir=ROOT / "rubrics", data_dir=data, demo_admin=False)
    keys = {
        "rep-a": add_account(settings, "rep-a", "rep", team="north"),
        "rep-b": add_account(settings, "rep-b", "rep", team="south"),
        "lead-n": add_account(settings, "lead-n", "lead", team="north"),
        "trainer": add_account(settings, "trainer", "trainer"),
        "admin": add_account(settings, "boss", "admin"),
    }
    card = analyze_transcript(resources, labelled_call(CALL)).to_dict()
    db = Database(settings.db_url)
    with db.session() as s:
        for rep in ("rep-a", "rep-b"):
            audio = _wav(data / f"{rep}.wav")
            repo.store_analysis(s, f"call-{rep}", card, rep, "import", audio, 16000, 2, rep)
    db.close()
    with TestClient(create_app(settings)) as client:
        yield {"client": client, "keys": keys, "settings": settings}


def _h(world: dict, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['keys'][who]}"}


def test_no_credentials_no_data(world: dict) -> None:
    c: TestClient = world["client"]
    assert c.get("/health").status_code == 200
    for path in ("/v1/calls", "/v1/calls/call-rep-a", "/v1/calls/call-rep-a/audio"):
        r = c.get(path)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert c.get("/v1/calls", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert c.get("/v1/calls", headers={"X-API-Key": "hk_00000000_guess"}).status_code == 401


@pytest.mark.parametrize("suffix", ["", "/scorecard", "/audio"])
def test_a_rep_cannot_read_another_reps_call(world: dict, suffix: str) -> None:
    c: TestClient = world["client"]
    mine = c.get(f"/v1/calls/call-rep-a{suffix}", headers=_h(world, "rep-a"))
    assert mine.status_code == 200
    theirs = c.get(f"/v1/calls/call-rep-b{suffix}", headers=_h(world, "rep-a"))
    missing = c.get(f"/v1/calls/no-such-call{suffix}", headers=_h(world, "rep-a"))
    # Another rep's call is answered exactly like a call that doesn't exist.
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace("call-rep-b", "?") == missing.json()["detail"].replace(
        "no-such-call", "?"
    )


def test_a_rep_cannot_subscribe_to_another_reps_events(world: dict) -> None:
    c: TestClient = world["client"]
    with c.websocket_connect("/v1/calls/call-rep-a/events", headers=_h(world, "rep-a")) as ws:
        assert ws.receive_json()["type"] == "call"
    with c.websocket_connect("/v1/calls/call-rep-b/events", headers=_h(world, "rep-a")) as ws:
        assert ws.receive_json()["code"] == "unknown_call"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008
    with c.websocket_connect("/v1/calls/call-rep-a/events") as ws:
        assert ws.receive_json()["code"] == "unauthorized"


def test_lists_show_only_what_each_role_may_see(world: dict) -> None:
    c: TestClient = world["client"]

    def ids(who: str, **params: str) -> set[str]:
        r = c.get("/v1/calls", headers=_h(world, who), params=params)
        assert r.status_code == 200
        return {item["id"] for item in r.json()["items"]}

    both = {"call-rep-a", "call-rep-b"}
    assert ids("rep-a") & both == {"call-rep-a"}
    assert ids("rep-a", rep="rep-b") == set()  # a filter can't widen what one may see
    assert ids("lead-n") & both == {"call-rep-a"}  # rep-b is in another team
    assert ids("trainer") == ids("admin") >= both
    assert c.get("/v1/calls/call-rep-a", headers=_h(world, "lead-n")).status_code == 200
    assert c.get("/v1/calls/call-rep-b", headers=_h(world, "lead-n")).status_code == 404


def test_a_rep_streams_only_their_own_calls(world: dict) -> None:
    c: TestClient = world["client"]
    start = {
        "type": "start",
        "language": "en",
        "sample_rate": 16000,
        "encoding": "pcm_s16le",
        "rep_id": "rep-b",
        "participants": [{"id": "c", "role": "customer"}, {"id": "r", "role": "rep"}],
    }
    with c.websocket_connect("/v1/calls/spoof-1/audio", headers=_h(world, "rep-a")) as ws:
        ws.send_text(json.dumps(start))
        assert ws.receive_json()["code"] == "forbidden"
    with c.websocket_connect("/v1/calls/spoof-2/audio", headers=_h(world, "trainer")) as ws:
        ws.send_text(json.dumps(start))
        assert ws.receive_json()["code"] == "forbidden"
    # Without a rep_id the call is the signed-in rep's.
    with c.websocket_connect("/v1/calls/own-1/audio", headers=_h(world, "rep-a")) as ws:
        ws.send_text(json.dumps({**start, "rep_id": None}))
        assert ws.receive_json()["type"] == "started"
        ws.send_text(json.dumps({"type": "stop"}))
        assert ws.receive_json()["scorecard"]["rep_id"] == "rep-a"


def test_roles_for_import_and_admin_endpoints(world: dict) -> None:
    c: TestClient = world["client"]
    body = {"username": "new-rep", "password": "long-enough-1", "role": "rep"}
    for who in ("rep-a", "lead-n", "trainer"):
        assert c.post("/v1/users", json=body, headers=_h(world, who)).status_code == 403
        assert c.get("/v1/keys", headers=_h(world, who)).status_code == 403
    files = {"file": ("c.call.json", b"{}", "application/json")}
    assert c.post("/v1/calls/import", files=files, headers=_h(world, "rep-a")).status_code == 403
    assert c.post("/v1/users", json=body, headers=_h(world, "admin")).status_code == 201
    assert c.post("/v1/users", json=body, headers=_h(world, "admin")).status_code == 409
    weak = {**body, "username": "weak", "password": "short"}
    assert c.post("/v1/users", json=weak, headers=_h(world, "admin")).status_code == 422
    team = c.get("/v1/users", headers=_h(world, "lead-n")).json()
    assert {u["username"] for u in team} == {"rep-a", "lead-n"}


def test_sign_in_sign_out_and_wrong_passwords(world: dict) -> None:
    c: TestClient = world["client"]
    bad = c.post("/v1/auth/login", json={"username": "rep-a", "password": "wrong-password"})
    assert bad.status_code == 401
    nobody = c.post("/v1/auth/login", json={"username": "ghost", "password": "wrong-password"})
    assert nobody.status_code == 401 and nobody.json() == bad.json()
    ok = c.post("/v1/auth/login", json={"username": "rep-a", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["user"]["role"] == "rep"
    assert c.cookies.get("hakshev_session")  # the browser's cookie
    assert c.get("/v1/auth/me").json()["username"] == "rep-a"
    seen = {i["id"] for i in c.get("/v1/calls").json()["items"]}
    assert "call-rep-a" in seen and "call-rep-b" not in seen
    token = ok.json()["token"]
    assert c.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    c.post("/v1/auth/logout")
    c.cookies.clear()
    assert c.get("/v1/auth/me").status_code == 401
    assert c.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_own_password_change_ends_other_sessions(world: dict) -> None:
    c: TestClient = world["client"]
    add = {"username": "pw-user", "password": "first-password", "role": "rep"}
    assert c.post("/v1/users", json=add, headers=_h(world, "admin")).status_code == 201
    token = c.post("/v1/auth/login", json={"username": "pw-user", "password": "first-password"})
    h = {"Authorization": f"Bearer {token.json()['token']}"}
    c.cookies.clear()
    assert c.patch("/v1/users/pw-user", json={"role": "admin"}, headers=h).status_code == 403
    r = c.patch("/v1/users/pw-user", json={"password": "second-password"}, headers=h)
    assert r.status_code == 200
    assert c.get("/v1/auth/me", headers=h).status_code == 401
    again = c.post("/v1/auth/login", json={"username": "pw-user", "password": "second-password"})
    assert again.status_code == 200
    c.cookies.clear()


def test_sessions_expire(world: dict, tmp_path: Path) -> None:
    settings = Settings(
        rubrics_dir=ROOT / "rubrics", data_dir=tmp_path, session_ttl_hours=0.5 / 3600
    )
    add_account(settings, "brief", "rep")
    with TestClient(create_app(settings)) as c:
        token = c.post("/v1/auth/login", json={"username": "brief", "password": PASSWORD})
        h = {"Authorization": f"Bearer {token.json()['token']}"}
        assert c.get("/v1/auth/me", headers=h).status_code == 200
        time.sleep(0.7)
        assert c.get("/v1/auth/me", headers=h).status_code == 401


def test_api_keys_are_shown_once_stored_hashed_and_revocable(world: dict) -> None:
    c: TestClient = world["client"]
    r = c.post("/v1/keys", json={"name": "pbx", "role": "telephony"}, headers=_h(world, "admin"))
    assert r.status_code == 201
    key, key_id = r.json()["key"], r.json()["id"]
    listed = c.get("/v1/keys", headers=_h(world, "admin")).json()
    assert key not in json.dumps(listed)
    db = Database(world["settings"].db_url)
    with db.session() as s:
        from app.store.models import ApiKey

        assert s.get(ApiKey, key_id).key_hash != key
    db.close()
    # A telephony key streams calls in; it reads nothing.
    assert c.get("/v1/calls", headers={"X-API-Key": key}).json()["items"] == []
    assert c.get("/v1/calls/call-rep-a", headers={"X-API-Key": key}).status_code == 404
    assert c.delete(f"/v1/keys/{key_id}", headers=_h(world, "admin")).status_code == 200
    assert c.get("/v1/calls", headers={"X-API-Key": key}).status_code == 401
    assert c.delete("/v1/keys/99999", headers=_h(world, "admin")).status_code == 404


def test_first_start_creates_an_admin_with_a_one_time_password(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(rubrics_dir=ROOT / "rubrics", data_dir=tmp_path)
    with TestClient(create_app(settings)):
        pass
    printed = capfd.readouterr().err
    password = printed.split("one-time password: ")[1].split()[0]
    with TestClient(create_app(settings)) as c:  # a second start creates and prints nothing
        r = c.post("/v1/auth/login", json={"username": "admin", "password": password})
        assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
    assert "one-time password" not in capfd.readouterr().err


def test_cli_adds_users_and_keys(tmp_path: Path) -> None:
    env = {"HAKSHEV_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def hakshev(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=60,
            check=False,
        )

    r = hakshev(
        "user",
        "add",
        "dana",
        "--role",
        "rep",
        "--team",
        "north",
        "--password-stdin",
        stdin="dana-password\n",
    )
    assert r.returncode == 0, r.stderr
    assert (
        hakshev(
            "user", "add", "dana", "--role", "rep", "--password-stdin", stdin="dana-password\n"
        ).returncode
        == 2
    )
    assert (
        hakshev("user", "add", "x", "--role", "rep", "--password-stdin", stdin="short\n").returncode
        == 2
    )
    r = hakshev("key", "add", "dana's script", "--role", "rep", "--user", "dana")
    assert r.returncode == 0, r.stderr
    key = r.stdout.split(": ", 1)[1].strip()
    assert "dana\trep\tnorth" in hakshev("user", "list").stdout
    settings = Settings(rubrics_dir=ROOT / "rubrics", data_dir=tmp_path, demo_admin=False)
    with TestClient(create_app(settings)) as c:
        me = c.get("/v1/auth/me", headers={"X-API-Key": key}).json()
        assert (me["username"], me["role"], me["via"]) == ("dana", "rep", "key")
    key_id = hakshev("key", "list").stdout.split("\t")[0]
    assert hakshev("key", "revoke", key_id).returncode == 0
    with TestClient(create_app(settings)) as c:
        assert c.get("/v1/auth/me", headers={"X-API-Key": key}).status_code == 401
