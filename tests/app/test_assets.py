"""Content-hashed URLs of the dashboard's files, cached for a year."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC = Path(__file__).resolve().parents[2] / "static"


def urls(client) -> list[str]:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    return [u for u in re.findall(r'(?:href|src)="([^"#]+)"', page.text)]


def test_the_page_names_content_hashed_urls_cached_for_a_year(client):
    found = urls(client)
    assert found and all(u.startswith("/assets/") for u in found), found
    assert any(u.endswith("/vendor/plotly.min.js") for u in found)
    for u in found:
        r = client.get(u)
        assert r.status_code == 200 and r.headers["cache-control"] == IMMUTABLE, u
    main = next(u for u in found if u.endswith("/js/main.js"))
    assert client.get(main).content == (STATIC / "js" / "main.js").read_bytes()
    # relative module imports stay under the same version
    assert client.get(main.replace("main.js", "chart.js")).headers["cache-control"] == IMMUTABLE
    tag = client.get("/").headers["etag"]
    assert client.get("/", headers={"If-None-Match": tag}).status_code == 304


def test_a_changed_file_changes_every_url_and_stale_ones_redirect(make_client, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    client = make_client(static_dir=static)
    before = urls(client)
    (static / "style.css").write_text((static / "style.css").read_text() + "\n/* changed */\n")
    after = urls(client)
    assert set(before).isdisjoint(after)
    stale = client.get(next(u for u in before if u.endswith("style.css")), follow_redirects=False)
    assert stale.status_code == 307 and stale.headers["location"] == "/static/style.css"


def test_no_path_outside_the_static_folder(client):
    version = urls(client)[0].split("/")[2]
    for path in ("../app/settings.py", "%2e%2e/pyproject.toml", "nope.js", "..%2fpyproject.toml"):
        assert client.get(f"/assets/{version}/{path}").status_code == 404, path


def test_plotly_is_compressed_once_and_is_the_packages_own_file(client):
    """The package's own plotly.min.js, after V8's one-line compile hint only."""
    from app.api.routes import assets

    own = b"//# allFunctionsCalledOnLoad\n" + assets.plotly_path().read_bytes()
    hashed = next(u for u in urls(client) if u.endswith("/vendor/plotly.min.js"))
    assets._plotly_bodies.cache_clear()
    for url in (hashed, "/vendor/plotly.min.js", hashed):
        reply = client.send(
            client.build_request("GET", url, headers={"Accept-Encoding": "gzip"}), stream=True
        )
        raw = b"".join(reply.iter_raw())
        reply.close()
        assert reply.headers["content-encoding"] == "gzip" and "Accept-Encoding" in reply.headers["vary"]
        assert gzip.decompress(raw) == own and len(raw) < len(own) / 3
    assert assets._plotly_bodies.cache_info().misses == 1  # compressed on the first request only
    plain = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == own
    again = client.get("/vendor/plotly.min.js", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
