"""Dependencies shared by the routes, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from app.core.config import Settings
from app.live.hub import CallHub, Store
from app.pipeline.resources import Resources


def _resources(request: HTTPConnection) -> Resources:
    return request.app.state.resources  # type: ignore[no-any-return]


def _settings(request: HTTPConnection) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


ResourcesDep = Annotated[Resources, Depends(_resources)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def _hub(request: HTTPConnection) -> CallHub:
    return request.app.state.hub  # type: ignore[no-any-return]


def _store(request: HTTPConnection) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


HubDep = Annotated[CallHub, Depends(_hub)]
StoreDep = Annotated[Store, Depends(_store)]
