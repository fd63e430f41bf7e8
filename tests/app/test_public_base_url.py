"""Share links: ``url`` is the configured public base URL + ``/s/<id>``, else relative; never
built from the request's ``Host`` header."""

from __future__ import annotations

import pytest

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}


def test_without_a_public_base_url_the_url_is_relative(client, seed):
    r = client.post("/api/v1/links", json=seed, headers=EVIL)
    assert r.status_code == 201
    link = r.json()
    assert link["url"] == f"/s/{link['id']}"
    assert r.headers["location"] == f"/api/v1/links/{link['id']}"
    assert "evil" not in r.text and "evil" not in str(r.headers)


@pytest.mark.parametrize(
    "base", ["https://schedules.example.org", "https://schedules.example.org/", "http://h.example:8080/x"]
)
def test_with_a_public_base_url_the_url_is_absolute(make_client, seed, base):
    c = make_client(public_base_url=base)
    r = c.post("/api/v1/links", json=seed, headers=EVIL)
    assert r.status_code == 201
    link = r.json()
    assert link["url"] == f"{base.rstrip('/')}/s/{link['id']}"
    assert r.headers["location"] == f"/api/v1/links/{link['id']}"  # stays relative
    assert "evil" not in r.text and "evil" not in str(r.headers)
    assert c.get(f"/s/{link['id']}").status_code == 200  # the path the url names is served
