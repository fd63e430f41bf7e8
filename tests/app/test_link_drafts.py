"""Short links of a view holding an invalid variant: the variant is stored as a draft (kept as
typed, checked as JSON only, never computed) and comes back exactly as sent."""

from __future__ import annotations

import copy
import json

import pytest

from app.cli import EXIT_INVALID, main
from app.contract.drafts import MAX_DRAFT_DEPTH


@pytest.fixture
def typed(seed) -> dict:
    """The seed with text in an integer field, as the dashboard keeps it while it is wrong."""
    bad = copy.deepcopy(seed)
    bad["schedulers"][0]["cycle_size"] = "2.5"
    return bad


def view(seed, second: dict) -> dict:
    return {
        "variants": [{"name": "A", "experiment": seed}, {"name": "B", **second}],
        "view": {"layout": "overlay"},
    }


def test_an_invalid_experiment_is_still_refused_naming_the_field(client, seed, typed):
    r = client.post("/api/v1/links", json=view(seed, {"experiment": typed}))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == [
        "body",
        "variants",
        1,
        "experiment",
        "schedulers",
        0,
        "cycle_size",
    ]


def test_a_draft_is_stored_and_given_back_as_typed(client, seed, typed):
    doc = view(seed, {"draft": typed})
    r = client.post("/api/v1/links", json=doc)
    assert r.status_code == 201, r.text
    back = client.get(f"/api/v1/links/{r.json()['id']}").json()
    assert back["variants"][1] == {"name": "B", "draft": typed}
    assert (
        back["variants"][0]["name"] == "A"
        and back["variants"][0]["experiment"]["num_events"] == seed["num_events"]
    )
    # the same document, the same id
    assert client.post("/api/v1/links", json=doc).json()["id"] == r.json()["id"]


def test_a_draft_is_never_computed_so_the_caps_of_experiments_do_not_apply(make_client, seed):
    client = make_client(max_events=1000)
    huge = {**seed, "num_events": 10**15, "schedulers": [{"type": "LambdaLR", "lr_lambda": "2 ** 2 ** 99"}]}
    assert client.post("/api/v1/links", json=view(seed, {"experiment": huge})).status_code == 422
    r = client.post("/api/v1/links", json=view(seed, {"draft": huge}))
    assert r.status_code == 201, r.text
    assert client.get(f"/api/v1/links/{r.json()['id']}").json()["variants"][1]["draft"] == huge


@pytest.mark.parametrize(
    ("draft", "says"),
    [
        ([1, 2], "valid dictionary"),
        ("text", "valid dictionary"),
        ({"a": float("inf")}, "finite numbers only"),
        (
            {"a": json.loads("[" * MAX_DRAFT_DEPTH + "]" * MAX_DRAFT_DEPTH)},
            f"at most {MAX_DRAFT_DEPTH} levels deep",
        ),
    ],
)
def test_a_draft_is_checked_as_json(client, seed, draft, says):
    body = json.dumps(view(seed, {"draft": draft}), allow_nan=True)
    r = client.post("/api/v1/links", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    item = r.json()["detail"][0]
    assert item["loc"] == ["body", "variants", 1, "draft"] and says in item["msg"]


def test_a_draft_at_the_depth_limit_is_kept(client, seed):
    draft = {"a": json.loads("[" * (MAX_DRAFT_DEPTH - 1) + "]" * (MAX_DRAFT_DEPTH - 1))}
    assert client.post("/api/v1/links", json=view(seed, {"draft": draft})).status_code == 201


def test_a_draft_cannot_carry_an_experiment_too(client, seed, typed):
    r = client.post("/api/v1/links", json=view(seed, {"draft": typed, "experiment": seed}))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "variants", 1, "experiment"]


def test_a_draft_is_bounded_by_the_size_of_a_link(make_client, seed):
    client = make_client(max_link_bytes=2000)
    r = client.post("/api/v1/links", json=view(seed, {"draft": {"notes": "x" * 3000}}))
    assert r.status_code == 413 and "bytes of a share link" in r.json()["detail"][0]["msg"]


def test_the_cli_names_the_field_of_a_draft_it_is_asked_for(tmp_path, capsys, seed, typed):
    path = tmp_path / "view.json"
    path.write_text(json.dumps(view(seed, {"draft": typed})))
    assert main(["series", str(path), "--variant", "A", "--max-points", "10"]) == 0
    capsys.readouterr()
    assert main(["series", str(path), "--variant", "B"]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "variant B is kept as typed" in err and "variants.1.draft.schedulers.0.cycle_size" in err
