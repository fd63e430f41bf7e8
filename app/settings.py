"""Runtime settings, read once from ``SCHEDULE_EXPLORER_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_static_dir() -> Path:
    """The package's ``static/`` when installed (the wheel ships static/ as
    ``schedule_explorer/static``), else the checkout's ``static/``."""
    here = Path(__file__).resolve().parent
    installed = here / "static"
    return installed if (installed / "index.html").is_file() else here.parent / "static"


class Settings(BaseSettings):
    """Every knob of the API; e.g. ``SCHEDULE_EXPLORER_MAX_EVENTS=20000000``.

    The caps are enforced before anything is computed, so no request can make the process
    allocate more than about ``max_values`` float64 values (8 bytes each) for one response.
    """

    model_config = SettingsConfigDict(env_prefix="SCHEDULE_EXPLORER_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Directory holding the SQLite link store.")
    link_store_url: str = Field(
        "",
        description="Link store location: '' = sqlite file links.sqlite3 under data_dir, "
        "'sqlite:///path/to/file', or 'postgresql://user:pass@host:5432/db' (shared by processes).",
    )
    workers: int = Field(1, ge=1, description="uvicorn worker processes of `schedule-explorer serve`.")
    metrics_dir: Path | None = Field(
        None,
        description="Directory where the uvicorn workers pool their /metrics counts "
        "(`schedule-explorer serve` sets a fresh one when workers > 1).",
    )
    max_events: int = Field(10_000_000, ge=1, description="Events per experiment when decimated.")
    max_download_events: int = Field(
        1_000_000, ge=1, description="Events per experiment for full (undecimated) series / CSV."
    )
    max_values: int = Field(
        40_000_000, ge=1, description="Cap on num_events x number of series computed per request."
    )
    max_points: int = Field(20_000, ge=4, description="Largest max_points a client may ask for.")
    figure_points: int = Field(2_000, ge=4, description="Points per trace of /figure by default.")
    max_schedulers: int = Field(32, ge=1, description="Schedulers per experiment.")
    max_param_groups: int = Field(32, ge=1, description="Param groups per experiment.")
    max_variants: int = Field(8, ge=1, description="Experiments per stored dashboard view.")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body accepted.")
    request_time_budget_s: float = Field(
        10.0, gt=0, description="Requests estimated to need longer are refused with a 422."
    )
    cache_bytes: int = Field(
        256 * 2**20, ge=0, description="Memory for the LRU cache of computed series (0 = off)."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Allowed CORS origins; empty = CORS off."
    )
    static_dir: Path = Field(
        default_factory=_default_static_dir,
        description="The dashboard's files (index.html, ES modules); default: "
        "schedule_explorer/static of the installed package, else static/ of the checkout.",
    )

    def link_db_path(self) -> Path:
        """The SQLite file of the link store."""
        if self.link_store_url.startswith("sqlite:///"):
            return Path(self.link_store_url.removeprefix("sqlite:///"))
        if self.link_store_url:
            raise ValueError(f"unsupported link_store_url {self.link_store_url!r}")
        return self.data_dir / "links.sqlite3"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache with ``get_settings.cache_clear``)."""
    return Settings()
