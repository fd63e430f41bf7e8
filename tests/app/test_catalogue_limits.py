"""The catalogue states the server's caps and the dashboard's default view (so that no client
keeps copies of them), per app: two apps with different settings give different replies."""

from __future__ import annotations

from app.contract.schemas import Catalogue, View
from app.settings import Settings


def test_limits_are_the_apps_max_settings(make_client):
    body = make_client(max_variants=3, max_points=300).get("/api/v1/schedulers").json()
    caps = {name for name in Settings.model_fields if name.startswith("max_")}
    assert set(body["limits"]) == caps
    assert {"max_variants", "max_points", "max_events", "max_schedulers", "max_param_groups"} <= caps
    assert body["limits"]["max_variants"] == 3 and body["limits"]["max_points"] == 300
    assert body["limits"]["max_events"] == Settings().max_events
    Catalogue.model_validate(body)  # the documented reply model


def test_each_app_gets_its_own_catalogue_and_etag(make_client):
    default, small = make_client(), make_client(max_variants=3)
    a, b = default.get("/api/v1/schedulers"), small.get("/api/v1/schedulers")
    assert a.json()["limits"]["max_variants"] == Settings().max_variants
    assert b.json()["limits"]["max_variants"] == 3
    assert a.headers["etag"] != b.headers["etag"]
    again = default.get("/api/v1/schedulers", headers={"If-None-Match": b.headers["etag"]})
    assert again.status_code == 200 and again.content == a.content  # the other app's tag is stale
    assert default.get("/api/v1/schedulers", headers={"If-None-Match": a.headers["etag"]}).status_code == 304


def test_view_defaults_are_a_view_with_100_iterations_per_epoch(client):
    defaults = client.get("/api/v1/schedulers").json()["view_defaults"]
    assert View.model_validate(defaults).model_dump() == defaults
    assert defaults["iterations_per_epoch"] == 100
    # the stored documents' own default stays 1: it is in the canonical form of pinned link ids
    assert View().iterations_per_epoch == 1
    assert {k: v for k, v in defaults.items() if k != "iterations_per_epoch"} == {
        k: v for k, v in View().model_dump().items() if k != "iterations_per_epoch"
    }
