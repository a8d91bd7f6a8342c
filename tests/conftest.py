"""Shared fixtures: real settings, the real rubric files, the real Whisper model (loaded once)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.config import ROOT, Settings
from app.pipeline.callfile import CallFile, load_call
from app.pipeline.resources import Resources

CALLS_DIR = Path(__file__).parent / "calls"
# The test apps share one loaded model (the `resources` fixture) or load on first use; a
# background preload in every test app would only compete for the CPU.
os.environ.setdefault("HAKSHEV_PRELOAD", "false")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real rubric files; recordings and the SQLite file in a temporary folder."""
    return Settings(rubrics_dir=ROOT / "rubrics", data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def resources(settings: Settings) -> Resources:
    res = Resources(settings)
    yield res
    res.close()


def labelled_call(name: str) -> CallFile:
    """One of the project's own labelled calls under tests/calls/."""
    return load_call(CALLS_DIR / f"{name}.call.json")


def all_labelled_calls() -> list[Path]:
    return sorted(CALLS_DIR.glob("*.call.json"))
