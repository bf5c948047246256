"""`make scaleout` (deploy/scaleout.py) stops everything it started, by process group, however
the run ends: a failure, or SIGTERM to the run itself."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "scaleout.py"


def _scaleout() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scaleout", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("scaleout", module)  # its dataclasses look their module up
    spec.loader.exec_module(sys.modules["scaleout"])
    return sys.modules["scaleout"]


def _living(pgid: int) -> list[int]:
    """Return the processes of the group that are still running (zombies have stopped)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def _gone(pgid: int, within: float = 5) -> bool:
    deadline = time.monotonic() + within
    while _living(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _living(pgid)


def test_a_failed_run_stops_every_group_it_started_even_one_that_ignores_sigterm() -> None:
    scaleout = _scaleout()
    processes = scaleout.Processes(grace=1)
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(RuntimeError), scaleout.stopped_at_exit(processes):
        # A server's master with a worker, and one deaf to SIGTERM (its children inherit that).
        polite = processes.start(["sh", "-c", "sleep 60 & sleep 60"])
        deaf = processes.start(["sh", "-c", "trap '' TERM; sleep 60 & sleep 60"])
        time.sleep(0.3)
        assert len(_living(polite.pid)) >= 2 and len(_living(deaf.pid)) >= 2
        failed_at = time.monotonic()
        raise RuntimeError("the run failed")
    # Within the grace period and a little: the deaf one was killed, not waited for.
    assert time.monotonic() - failed_at < 10
    assert _gone(polite.pid), _living(polite.pid)
    assert _gone(deaf.pid), _living(deaf.pid)
    assert signal.getsignal(signal.SIGTERM) == handler


def test_sigterm_to_the_run_stops_what_it_started() -> None:
    program = textwrap.dedent(
        f"""
        import importlib.util, sys, time
        spec = importlib.util.spec_from_file_location("scaleout", {str(SCRIPT)!r})
        scaleout = importlib.util.module_from_spec(spec)
        sys.modules["scaleout"] = scaleout
        spec.loader.exec_module(scaleout)
        with scaleout.stopped_at_exit(scaleout.Processes(grace=2)) as processes:
            child = processes.start(["sh", "-c", "sleep 60 & sleep 60"])
            print(child.pid, flush=True)
            time.sleep(60)
        """
    )
    run = subprocess.Popen(
        [sys.executable, "-c", program], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert run.stdout is not None
        pgid = int(run.stdout.readline())
        time.sleep(0.3)
        assert len(_living(pgid)) >= 2
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=30) == 128 + signal.SIGTERM
        assert _gone(pgid), _living(pgid)
    finally:
        if run.poll() is None:
            run.kill()
        run.wait()
        if run.stdout is not None:
            run.stdout.close()
