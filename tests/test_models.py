"""Bundled Whisper weights: assembled once, verified by sha256, refused when tampered with."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.asr.models import BASE_SHA256, ModelError, assemble_base, resolve_model, sha256_of


def test_base_is_assembled_from_the_two_packages_and_verified(tmp_path: Path) -> None:
    folder = assemble_base(tmp_path)
    assert sha256_of(folder / "model.bin") == BASE_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (folder / name).exists()
    assert not list(folder.glob(".model.bin.*"))  # no temporary file left behind
    assert assemble_base(tmp_path) == folder  # second time: verified, not rebuilt


def test_a_tampered_model_is_refused(tmp_path: Path) -> None:
    folder = assemble_base(tmp_path)
    with (folder / "model.bin").open("r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelError, match="sha256"):
        assemble_base(tmp_path)


def test_tiny_en_comes_from_its_package(tmp_path: Path) -> None:
    path = Path(resolve_model("tiny.en", tmp_path))
    assert (path / "model.bin").exists()


def test_local_folders_and_names(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model.bin"):
        resolve_model(str(tmp_path), tmp_path)
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(str(tmp_path / "missing"), tmp_path)
    # Any other name is handed to faster-whisper, which fetches it for users who are online.
    assert resolve_model("small", tmp_path) == "small"


def test_per_language_override() -> None:
    from app.core.config import Settings

    s = Settings(whisper_model="base", whisper_model_he="/models/ivrit-ct2")
    assert s.model_for("he") == "/models/ivrit-ct2"
    assert s.model_for("en") == "base"
