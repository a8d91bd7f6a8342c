"""The FastAPI application: health, OpenAPI docs and offline analysis (the live routes join it)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import analyze, health
from app.core.config import Settings, get_settings
from app.pipeline.resources import Resources

DESCRIPTION = """
Hakshev listens to customer-retention calls, checks them live against coaching rubrics drawn from
five articles on retention calls, nudges the rep while the call goes on, and writes a scorecard.

* `POST /v1/analyze` — score a recording (one channel per participant) or a `*.call.json`
  transcript, through the same engine as a live call.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.resources.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = FastAPI(
        title="Hakshev",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    # Rubric files are validated here: a bad one stops start-up with its file, field and reason.
    app.state.settings = settings
    app.state.resources = Resources(settings)
    app.include_router(health.router)
    app.include_router(analyze.router)
    return app
