"""The ASGI application: ``uvicorn app.main:app`` (in a checkout; ``schedule_explorer.main:app``
when installed) serves the API and the dashboard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import __version__
from .api import errors
from .api.routes import code, compare, docs, figure, health, links, pages, schedulers, series, translate
from .server.middleware import (
    BodySizeLimit,
    Compress,
    DisconnectWatch,
    HeadAsGet,
    RequireJson,
    SecurityHeaders,
)
from .server.netfix import tcp_nodelay_on_asyncio_loop
from .server.observability import Observability
from .server.ratelimit import RateLimit
from .service.compute import SeriesCache
from .settings import Settings, get_settings
from .storage.links import open_link_store

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app from ``settings`` (default: the environment, see :mod:`app.settings`)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tcp_nodelay_on_asyncio_loop()  # --workers N on asyncio leaves Nagle on: +40 ms per reply
        app.state.link_store = open_link_store(settings)  # fail fast, create the table
        yield
        store = getattr(app.state, "link_store", None)
        if store is not None:
            store.close()

    app = FastAPI(
        title="Schedule Explorer",
        version=__version__,
        summary="Hyper-parameter schedules (ignite-compatible) as series, figures, code and links.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: app/api/routes/docs.py (offline assets, no inline script)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.series_cache = SeriesCache(settings.cache_bytes)
    app.state.link_rate = RateLimit(settings.link_rate_per_minute)
    errors.install(app)
    for module in (schedulers, series, compare, translate, figure, code, links, health):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router, include_in_schema=False)
    app.include_router(pages.router)
    app.include_router(docs.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir, check_dir=False), name="static")
    app.add_middleware(Compress)  # innermost: gzip for large replies and static files (weak ETag then)
    app.add_middleware(HeadAsGet)  # HEAD wherever GET (the GET's headers), without doubling the routes
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(RequireJson, prefix=API_PREFIX + "/")  # 415: no form POSTs across sites
    app.add_middleware(  # 413 before 415; 408 for a body that stalls
        BodySizeLimit, max_bytes=settings.max_body_bytes, read_timeout_s=settings.body_timeout_s
    )
    app.add_middleware(DisconnectWatch)  # a client gone before its reply: heavy work stopped, a 499
    app.add_middleware(Observability, metrics_dir=settings.metrics_dir)  # counts 413s too
    app.add_middleware(SecurityHeaders)
    return app


app = create_app()
