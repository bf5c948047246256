"""A throwaway application instance in a temporary folder, driven through the `broker` CLI."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BROKER = str(Path(sys.executable).with_name("broker"))


@dataclass
class Instance:
    """A temporary instance folder and the environment that points the app at it."""

    path: Path
    env: dict[str, str]

    @property
    def index_dir(self) -> Path:
        return self.path / "index"

    def broker(self, *args: str) -> tuple[float, str]:
        """Run `broker ARGS` against this instance; return (seconds, stdout)."""
        started = time.perf_counter()
        done = subprocess.run(
            [BROKER, *args], env=self.env, capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"broker {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return elapsed, done.stdout

    def apply_environment(self) -> dict[str, str | None]:
        """Point this process's future create_app() calls at the instance; return old values."""
        old = {key: os.environ.get(key) for key in self.env if key.startswith("BROKER_")}
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("BROKER_")})
        return old


def restore_environment(old: dict[str, str | None]) -> None:
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextmanager
def temporary_instance(prefix: str = "broker-bench-") -> Iterator[Instance]:
    """Yield a migrated, empty instance in a temporary folder; remove it afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BROKER_")},
        "BROKER_INSTANCE_PATH": str(path),
        "BROKER_SECRET_KEY": secrets.token_hex(16),
    }
    instance = Instance(path, env)
    try:
        instance.broker("init-db")
        yield instance
    finally:
        shutil.rmtree(path, ignore_errors=True)


def indexed_count(output: str) -> int:
    """Read the number of listings from `broker index rebuild` output."""
    found = re.search(r"Rebuilt the index: (\d+)", output)
    return int(found.group(1)) if found else 0


def close_app(app: Any) -> None:
    """Release the app's index and database connections."""
    from broker import db

    engine = app.extensions.pop("broker.search", None)
    if engine is not None:
        engine.close()
    db.dispose(app)


def folder_size(path: Path) -> int:
    """Return the bytes used by the files under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
