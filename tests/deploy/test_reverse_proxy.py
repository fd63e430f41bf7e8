"""deploy/: the Compose file and nginx configuration the README's "Deploying" section promises.

The timeouts uvicorn lacks (a client that never finishes its headers) are nginx's; only nginx
is reachable from outside; the app's health check is its readiness (the link store included).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from app.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def nginx_seconds(text: str, directive: str) -> int:
    found = re.search(rf"^\s*{directive}\s+(\d+)s;", text, re.M)
    assert found, f"{directive} missing"
    return int(found.group(1))


def test_compose_puts_nginx_in_front_of_the_app() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    assert "ports" not in app, "only the proxy is published"
    assert proxy["image"].startswith("nginx:") and proxy["ports"] == ["8080:8080"]
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(app["healthcheck"]["test"])
    assert app["environment"]["SCHEDULE_EXPLORER_PUBLIC_BASE_URL"].startswith("http")


def test_nginx_bounds_every_slow_phase() -> None:
    text = (DEPLOY / "nginx.conf").read_text()
    assert 0 < nginx_seconds(text, "client_header_timeout") <= 30
    assert 0 < nginx_seconds(text, "client_body_timeout") <= Settings().body_timeout_s
    assert nginx_seconds(text, "proxy_read_timeout") > Settings().request_time_budget_s
    assert re.search(r"^\s*limit_conn per_client \d+;", text, re.M)
    assert re.search(r"^\s*proxy_request_buffering on;", text, re.M)
    size = re.search(r"client_max_body_size\s+(\d+)m;", text)
    assert size and int(size.group(1)) * 2**20 >= Settings().max_body_bytes
    assert "server app:8000;" in text
