"""Per-app shared objects (settings, series cache, link store) reached from a request."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from ..server.ratelimit import RateLimit
from ..service.compute import SeriesCache
from ..settings import Settings
from ..storage.links import LinkStore, open_link_store

_store_lock = threading.Lock()


def settings(request: Request) -> Settings:
    return request.app.state.settings


def series_cache(request: Request) -> SeriesCache:
    return request.app.state.series_cache


def link_store(request: Request) -> LinkStore:
    """The app's link store, opened on first use (so importing the app touches no disk or network)."""
    state = request.app.state
    store = getattr(state, "link_store", None)
    if store is None:
        with _store_lock:
            store = getattr(state, "link_store", None)
            if store is None:
                store = open_link_store(state.settings)
                state.link_store = store
    return store


def link_rate(request: Request) -> RateLimit:
    return request.app.state.link_rate


SettingsDep = Annotated[Settings, Depends(settings)]
CacheDep = Annotated[SeriesCache, Depends(series_cache)]
StoreDep = Annotated[LinkStore, Depends(link_store)]
LinkRateDep = Annotated[RateLimit, Depends(link_rate)]
