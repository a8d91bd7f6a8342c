"""An admin edits rubric files over the API: validated like start-up, applied to new calls."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from app.api.main import create_app
from app.core.config import ROOT, Settings
from tests.accounts import add_account


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict, Path]]:
    base = tmp_path_factory.mktemp("rubric-admin")
    folder = base / "rubrics"
    shutil.copytree(ROOT / "rubrics", folder)
    settings = Settings(rubrics_dir=folder, data_dir=base / "data", demo_admin=False)
    keys = {who: add_account(settings, who, who) for who in ("admin", "lead", "rep")}
    with TestClient(create_app(settings)) as client:
        yield client, keys, folder


def _h(keys: dict, who: str) -> dict[str, str]:
    return {"X-API-Key": keys[who]}


def test_everyone_reads_what_the_rubrics_ask(admin: tuple[TestClient, dict, Path]) -> None:
    client, keys, _ = admin
    listed = client.get("/v1/rubrics", headers=_h(keys, "rep")).json()
    assert len(listed) == 12 and listed[0]["title"]["he"] and listed[0]["why"]["en"]
    assert client.get("/v1/rubrics/offer_limit/file", headers=_h(keys, "rep")).status_code == 403


def test_a_bad_edit_is_refused_and_changes_nothing(admin: tuple[TestClient, dict, Path]) -> None:
    client, keys, folder = admin
    before = (folder / "offer_limit.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(before)
    data["cooldown_s"] = -5
    r = client.put(
        "/v1/rubrics/offer_limit/file",
        content=yaml.safe_dump(data, allow_unicode=True),
        headers=_h(keys, "admin"),
    )
    assert r.status_code == 422
    assert r.json()["detail"]["field"] == "cooldown_s"
    assert r.json()["detail"]["file"] == "offer_limit.yaml"
    r = client.put("/v1/rubrics/offer_limit/file", content=b"a: [", headers=_h(keys, "admin"))
    assert r.status_code == 422 and "YAML" in r.json()["detail"]["reason"]
    assert (folder / "offer_limit.yaml").read_text(encoding="utf-8") == before
    assert (
        client.put("/v1/rubrics/nope/file", content=b"", headers=_h(keys, "admin")).status_code
        == 404
    )
    big = b"#" * (300 * 1024)
    r = client.put("/v1/rubrics/offer_limit/file", content=big, headers=_h(keys, "admin"))
    assert r.status_code == 413
    r = client.put(
        "/v1/rubrics/offer_limit/file", content=before.encode(), headers=_h(keys, "lead")
    )
    assert r.status_code == 403


def test_a_good_edit_is_applied_and_the_old_one_kept(admin: tuple[TestClient, dict, Path]) -> None:
    client, keys, folder = admin
    text = client.get("/v1/rubrics/offer_limit/file", headers=_h(keys, "admin")).text
    data = yaml.safe_load(text)
    data["title"]["en"] = "Two offers at most (edited)"
    r = client.put(
        "/v1/rubrics/offer_limit/file",
        content=yaml.safe_dump(data, allow_unicode=True),
        headers=_h(keys, "admin"),
    )
    assert r.status_code == 200, r.text
    listed = {x["id"]: x for x in client.get("/v1/rubrics", headers=_h(keys, "rep")).json()}
    assert listed["offer_limit"]["title"]["en"] == "Two offers at most (edited)"
    history = list((folder.parent / "data" / "rubric-history").glob("offer_limit-*.yaml"))
    assert len(history) == 1 and history[0].read_text(encoding="utf-8") == text
