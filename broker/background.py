"""Background threads of a serving process: one named daemon thread per job, kept on the app.

The lapse scheduler (broker.lifecycle.scheduler) and the index listener (broker.search.listener)
are both one of these: started once per process, stopped on request, never needed for
correctness.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import Flask


class BackgroundThread:
    """A named daemon thread running `_run` until `stop`; `_run` watches `self._stop`."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait (at most `timeout` seconds) for it to end."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError


Thread = TypeVar("Thread", bound=BackgroundThread)


def start_once(app: Flask, key: str, make: Callable[[], Thread]) -> Thread:
    """Return `app`'s thread kept under `key`, making and starting it on the first call."""
    existing: Thread | None = app.extensions.get(key)
    if existing is not None:
        return existing
    thread = make()
    app.extensions[key] = thread
    thread.start()
    return thread
