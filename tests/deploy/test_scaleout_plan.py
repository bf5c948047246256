"""`make scaleout` measures one machine under the same mix as the three (deploy/scaleout.py):
each write the plan allows once a run goes to one of the two loads, never to both."""

from __future__ import annotations

from tests.deploy.test_scaleout_processes import _scaleout


def _plan() -> dict:
    return {
        "password": "pw",
        "officers": [
            {
                "email": f"qa{n}@x",
                "totp_secret": "S",
                "assured": list(range(n * 100, n * 100 + 40)),
                "submitted": list(range(n * 1000, n * 1000 + 8)),
            }
            for n in (1, 2, 3)
        ],  # fmt: skip
        "probe": {"email": "probe@x", "totp_secret": "P", "assured": [9, 10]},
        "sips": [{"email": "sip1@x", "schools": [1, 2]}],
        "providers": [{"email": f"provider{n}@x", "listings": [n, n + 50]} for n in range(8)],
        "listings": [500, 501, 502],
    }


def test_the_one_machine_gets_its_share_of_each_once_a_run_write_and_the_three_the_rest() -> None:
    plan = _plan()
    one, three = _scaleout().split_plan(plan, 0.25)

    for before, first, second in zip(
        plan["officers"], one["officers"], three["officers"], strict=True
    ):
        assert first["email"] == second["email"] == before["email"]
        for kind in ("assured", "submitted"):
            assert first[kind] + second[kind] == before[kind]  # all of them, each once
            assert len(first[kind]) == round(len(before[kind]) * 0.25)
    assert one["providers"] == plan["providers"][:2]
    assert three["providers"] == plan["providers"][2:]
    # Visits can be repeated and pages read by both; the probe acts in the three machines' run.
    assert one["sips"] == three["sips"] == plan["sips"]
    assert one["listings"] == three["listings"] == plan["listings"]
    assert one["probe"] is None and three["probe"] == plan["probe"]
    assert plan == _plan()  # the plan itself is left as it was


def test_with_no_share_the_three_machines_get_the_whole_plan() -> None:
    one, three = _scaleout().split_plan(_plan(), 0.0)

    assert three == _plan()
    assert one["providers"] == [] and all(
        o["assured"] == o["submitted"] == [] for o in one["officers"]
    )
