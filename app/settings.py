"""Runtime settings, read once from ``SCHEDULE_EXPLORER_*`` environment variables.

Every setting is checked when it is read: a bad value ends the process at start with one line
per variable, ``schedule-explorer: error: invalid setting SCHEDULE_EXPLORER_X: <reason>``
(:func:`get_settings`), never a traceback and never a server that starts and then fails.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

ENV_PREFIX = "SCHEDULE_EXPLORER_"
SQLITE_SCHEME = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
LINK_STORE_SCHEMES = (SQLITE_SCHEME, *POSTGRES_SCHEMES)
"""The ``link_store_url`` forms :func:`app.storage.links.open_link_store` opens (besides '')."""


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

    # hide_input_in_errors: link_store_url may hold a password
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", hide_input_in_errors=True)

    # link_store_url comes before data_dir: data_dir is checked only when the store lives there
    link_store_url: str = Field(
        "",
        description="Link store location: '' = sqlite file links.sqlite3 under data_dir, "
        "'sqlite:///path/to/file', or 'postgresql://user:pass@host:5432/db' (shared by processes).",
    )
    data_dir: Path = Field(Path("data"), description="Directory holding the SQLite link store.")
    public_base_url: str = Field(
        "",
        description="Absolute http(s) URL the dashboard is reached at, e.g. "
        "'https://schedules.example.org' (a path prefix is allowed); share links are this + "
        "'/s/<id>'. Empty: POST /links replies a relative url '/s/<id>'.",
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
    max_reply_bytes: int = Field(
        200 * 2**20,
        ge=2**20,
        description="Largest /series reply (JSON or CSV), counted at the longest a value can be "
        "written; bigger requests are refused with a 422 naming max_points as the way round.",
    )
    max_points: int = Field(20_000, ge=4, description="Largest max_points a client may ask for.")
    figure_points: int = Field(
        2_000, ge=4, description="Points per trace of /figure by default (at most max_points)."
    )
    max_schedulers: int = Field(32, ge=1, description="Schedulers per experiment.")
    max_param_groups: int = Field(32, ge=1, description="Param groups per experiment.")
    max_variants: int = Field(8, ge=1, description="Experiments per stored dashboard view.")
    max_link_bytes: int = Field(
        256 * 2**10, ge=1024, description="Largest share-link document (its canonical JSON) stored."
    )
    max_link_store_bytes: int = Field(
        1 * 2**30,
        ge=2**16,
        description="The link store's size past which new links are refused (507; existing links "
        "are still served and re-shared).",
    )
    link_rate_per_minute: int = Field(
        30, ge=1, description="New links one client (IP address) may create per minute (429 past it)."
    )
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body accepted.")
    body_timeout_s: float = Field(
        30.0, gt=0, description="Longest wait for the next piece of a request body (408 past it)."
    )
    keep_alive_s: float = Field(
        5.0,
        gt=0,
        description="An idle keep-alive connection is closed after this (uvicorn's timeout_keep_alive).",
    )
    limit_concurrency: int | None = Field(
        None,
        ge=1,
        description="Connections and requests at once per worker before uvicorn answers 503 "
        "(its limit_concurrency); unset: no limit (put the reverse proxy of deploy/ in front).",
    )
    request_time_budget_s: float = Field(
        10.0, gt=0, description="Requests estimated to need longer are refused with a 422."
    )
    heavy_processes: int = Field(
        1,
        ge=0,
        description="Child processes per server worker that step heavy experiments (those "
        "without a closed form, estimated at isolate_above_s or more); 0 = step in threads.",
    )
    heavy_queue: int = Field(
        4, ge=0, description="Heavy requests that may wait for a child process; more get a 503."
    )
    isolate_above_s: float = Field(
        0.2, ge=0, description="Stepping estimated to take this long or longer runs in a child process."
    )
    cache_bytes: int = Field(
        256 * 2**20, ge=0, description="Memory for the LRU cache of computed series (0 = off)."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Allowed CORS origins; empty = CORS off."
    )
    static_dir: Path = Field(
        default_factory=_default_static_dir,
        validate_default=True,
        description="The dashboard's files (index.html, ES modules); default: "
        "schedule_explorer/static of the installed package, else static/ of the checkout.",
    )

    # ------------------------------------------------------------ checks (in field order)
    @field_validator("link_store_url")
    @classmethod
    def _link_store_url(cls, url: str) -> str:
        if url == "":
            return url
        if not url.startswith(LINK_STORE_SCHEMES):
            scheme = url.split("://", 1)[0] + "://" if "://" in url else url[:20]
            raise _error(
                f"unsupported link_store_url scheme {scheme!r}: use '' (links.sqlite3 under "
                "data_dir), 'sqlite:///path/to/file' or 'postgresql://user:pass@host:5432/db'"
            )
        if url.startswith(SQLITE_SCHEME):
            path = Path(url.removeprefix(SQLITE_SCHEME))
            if not url.removeprefix(SQLITE_SCHEME) or path.is_dir():
                raise _error(f"{url!r} should name a file, e.g. 'sqlite:///data/links.sqlite3'")
            problem = _writable_dir_problem(path.parent)
            if problem:
                raise _error(f"the SQLite file's directory {problem}")
        return url

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, path: Path, info: ValidationInfo) -> Path:
        if info.data.get("link_store_url") == "":  # the store lives under data_dir
            problem = _writable_dir_problem(path)
            if problem:
                raise _error(problem)
        return path

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url(cls, url: str) -> str:
        if url == "":
            return url
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or "?" in url
            or "#" in url
            or "@" in parts.netloc
            or re.search(r"\s", url)
        ):
            raise _error(
                "should be an absolute http(s) URL without user, query or fragment, "
                f"e.g. 'https://schedules.example.org', but given {url!r}"
            )
        try:
            parts.port  # noqa: B018 (raises on a bad port)
        except ValueError:
            raise _error(f"has an invalid port: {url!r}") from None
        return url.rstrip("/")

    @field_validator("metrics_dir")
    @classmethod
    def _metrics_dir(cls, path: Path | None) -> Path | None:
        if path is None:
            return None
        if not path.is_dir():
            raise _error(f"{path} is not an existing directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise _error(f"{path} is not writable")
        return path

    @model_validator(mode="after")
    def _default_figure_points_within_max_points(self) -> Settings:
        # a figure_points given is refused above max_points; the default follows a lower cap
        if self.figure_points > self.max_points:
            if "figure_points" in self.model_fields_set:
                raise _error(
                    f"should be at most {ENV_PREFIX}MAX_POINTS ({self.max_points}), "
                    f"but given {self.figure_points}",
                    setting="figure_points",
                )
            self.figure_points = self.max_points
        return self

    @field_validator("cors_origins")
    @classmethod
    def _cors_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            parts = urlsplit(origin)
            ok = origin == "*" or (
                parts.scheme in ("http", "https")
                and bool(parts.hostname)
                and origin == f"{parts.scheme}://{parts.netloc}"
                and "@" not in parts.netloc
            )
            if not ok:
                raise _error(
                    f"{origin!r} is not an origin: scheme://host[:port] without path or "
                    "trailing slash (e.g. 'https://app.example'), or '*'"
                )
        return origins

    @field_validator("static_dir")
    @classmethod
    def _static_dir(cls, path: Path) -> Path:
        if not (path / "index.html").is_file():
            raise _error(f"{path} holds no index.html (the dashboard's files)")
        return path

    def link_db_path(self) -> Path:
        """The SQLite file of the link store."""
        if self.link_store_url.startswith(SQLITE_SCHEME):
            return Path(self.link_store_url.removeprefix(SQLITE_SCHEME))
        if self.link_store_url:
            raise ValueError(f"unsupported link_store_url {self.link_store_url!r}")
        return self.data_dir / "links.sqlite3"


def _error(message: str, setting: str | None = None) -> PydanticCustomError:
    """A validation error whose message is ``message`` as is (no "Value error, " prefix);
    ``setting`` names the field when the error is raised by a model validator (no ``loc``)."""
    return PydanticCustomError("invalid_setting", message, {"setting": setting} if setting else None)


def _writable_dir_problem(path: Path) -> str | None:
    """Why ``path`` is not, and cannot be made, a writable directory; ``None`` if it is or can
    be. Nothing is created: a missing directory is judged by its nearest existing ancestor."""
    if path.exists():
        if not path.is_dir():
            return f"{path} is not a directory"
        return None if os.access(path, os.W_OK | os.X_OK) else f"{path} is not writable"
    for ancestor in path.absolute().parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                return f"cannot create {path}: {ancestor} is not a directory"
            if not os.access(ancestor, os.W_OK | os.X_OK):
                return f"cannot create {path}: {ancestor} is not writable"
            return None
    return None  # pragma: no cover (the root always exists)


class InvalidSettings(ValueError):
    """Settings refused when read; ``lines`` holds one message per bad variable."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def setting_errors(exc: ValidationError | SettingsError) -> list[str]:
    """One line per bad variable: ``invalid setting SCHEDULE_EXPLORER_X: <reason>``."""
    if isinstance(exc, SettingsError):  # a JSON value (cors_origins) that does not parse
        found = re.search(r'field "(\w+)"', str(exc))
        name = ENV_PREFIX + (found.group(1).upper() if found else "?")
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        return [
            f'invalid setting {name}: should be a JSON list such as ["https://a.example"], but is not JSON{cause}'
        ]
    lines = []
    for e in exc.errors():
        field = (e.get("ctx") or {}).get("setting") or (e["loc"][0] if e["loc"] else "?")
        name = ENV_PREFIX + str(field).upper()
        reason = e["msg"]
        secret = e["loc"][:1] == ("link_store_url",)
        if e["type"] != "invalid_setting" and not secret and isinstance(e.get("input"), str | int):
            reason += f", but given {e['input']!r}"
        lines.append(f"invalid setting {name}: {reason}")
    return lines


def load_settings() -> Settings:
    """:class:`Settings` from the environment; :class:`InvalidSettings` names each bad one."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as exc:
        raise InvalidSettings(setting_errors(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache with ``get_settings.cache_clear``).

    A bad setting ends the process (``uvicorn app.main:app`` included): one line per variable
    on stderr, ``schedule-explorer: error: invalid setting SCHEDULE_EXPLORER_X: <reason>``,
    and exit status 2.
    """
    try:
        return load_settings()
    except InvalidSettings as exc:
        for line in exc.lines:
            print(f"schedule-explorer: error: {line}", file=sys.stderr)
        raise SystemExit(2) from None
