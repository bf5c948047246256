"""A throwaway application instance in a temporary folder, driven through the `broker` CLI, and
the HTTP server that serves it for the benchmarks.

`start_server` is the one place that decides which server runs the app: gunicorn (gthread
workers) when it is installed, otherwise werkzeug's WSGI server run the way gunicorn runs
workers: the benchmark binds one listening socket and starts `workers` processes that each
accept on it and answer with a pool of `threads` threads (see `_PooledServer`).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer

BROKER = str(Path(sys.executable).with_name("broker"))


@dataclass(frozen=True)
class Run:
    """One finished `broker` command: wall and CPU seconds, peak memory, what it printed."""

    wall_s: float
    cpu_s: float
    maxrss_mb: float
    stdout: str


@dataclass
class Instance:
    """A temporary instance folder and the environment that points the app at it."""

    path: Path
    env: dict[str, str]

    @property
    def index_dir(self) -> Path:
        return Path(self.env.get("BROKER_INDEX_DIR") or self.path / "index")

    @property
    def backend(self) -> str:
        return self.env.get("BROKER_SEARCH_BACKEND", "tantivy")

    def with_backend(self, name: str) -> Instance:
        """Return this instance (same database) searched by backend `name`, in its own folder."""
        env = {
            **self.env,
            "BROKER_SEARCH_BACKEND": name,
            "BROKER_INDEX_DIR": str(self.path / f"index-{name}"),
        }
        return replace(self, env=env)

    def broker(self, *args: str) -> tuple[float, str]:
        """Run `broker ARGS` against this instance; return (seconds, stdout)."""
        done = self.run_broker(*args)
        return done.wall_s, done.stdout

    def run_broker(self, *args: str) -> Run:
        """Run `broker ARGS`; return its wall and CPU time (from wait4) and peak memory.

        The peak is the command's own high-water mark (VmHWM), read every 20 ms while it runs:
        wait4's ru_maxrss would count the benchmark process too, since Linux carries the
        forking process's high-water mark across exec (a `/bin/true` forked from an 800 MB
        process reports 814 MB). It misses only growth in the command's last 20 ms.
        """
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            started = time.perf_counter()
            process = subprocess.Popen([BROKER, *args], env=self.env, stdout=out, stderr=err)
            peak_mb = 0.0
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                peak_mb = max(peak_mb, memory_mb(process.pid)[1])
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout = out.read()
            if process.returncode != 0:
                raise RuntimeError(f"broker {' '.join(args)} failed:\n{stdout}\n{err.read()}")
        return Run(elapsed, usage.ru_utime + usage.ru_stime, peak_mb, stdout)

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


# --- Process figures (Linux /proc) -------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds process `pid` has used (all its threads, dead ones too)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def memory_mb(pid: int) -> tuple[float, float]:
    """Return (resident now, peak resident) of process `pid` in MB (VmRSS, VmHWM)."""
    found = {"VmRSS": 0, "VmHWM": 0}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                key = line.split(":", 1)[0]
                if key in found:
                    found[key] = int(line.split()[1])
    except OSError:
        pass
    return found["VmRSS"] / 1024, found["VmHWM"] / 1024


def load_average() -> tuple[float, float, float]:
    """Return the machine's 1, 5 and 15 minute load averages."""
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


# --- The server --------------------------------------------------------------------------------


def server_kind() -> str:
    """Return which server `start_server` uses: "gunicorn" if installed, else "werkzeug"."""
    return "gunicorn" if importlib.util.find_spec("gunicorn") is not None else "werkzeug"


@dataclass
class Server:
    """The app served over HTTP on 127.0.0.1:`port` by `workers` processes of `threads` threads."""

    kind: str
    port: int
    workers: int
    threads: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started_at: float = 0.0

    def worker_pids(self) -> list[int]:
        """Return the processes that answer requests (gunicorn: the master's children)."""
        if self.kind != "gunicorn":
            return [p.pid for p in self.processes]
        master = self.processes[0].pid
        try:
            with open(f"/proc/{master}/task/{master}/children", encoding="ascii") as children:
                return [int(pid) for pid in children.read().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """Return the CPU seconds the serving processes have used so far."""
        return sum(cpu_seconds(pid) for pid in self.worker_pids())

    def memory_mb(self) -> list[tuple[float, float]]:
        """Return (resident now, peak) in MB for each serving process."""
        return [memory_mb(pid) for pid in self.worker_pids()]

    def stop(self) -> None:
        for process in self.processes:
            if process.stdin is not None:
                process.stdin.close()
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_server(instance: Instance, workers: int = 1, threads: int = 4) -> Server:
    """Start the app for `instance`; return once the port accepts connections.

    The only place that chooses the server: switch to another (or a different worker class)
    here and every measurement follows.
    """
    kind = server_kind()
    env = {**instance.env, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    if kind == "gunicorn":
        port = _free_port()
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "broker:create_app()",
        ]
        processes = [subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)]
    else:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        port = listener.getsockname()[1]
        fd = listener.fileno()
        command = [sys.executable, "-m", "benchmarks.instance", "--fd", str(fd)]
        command += ["--threads", str(threads)]
        # Each worker reads its standard input until the benchmark closes it (or dies).
        processes = [
            subprocess.Popen(command, env=env, stdin=subprocess.PIPE, pass_fds=(fd,))
            for _ in range(workers)
        ]
        listener.close()  # the workers hold it now
    server = Server(kind, port, workers, threads, processes, started)
    _wait_for_port(server)
    return server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(server: Server, timeout: float = 60.0) -> None:
    """Wait until a static file is served (the app is imported in at least one worker)."""
    import http.client

    deadline = time.monotonic() + timeout
    while True:
        for process in server.processes:
            if process.poll() is not None:
                raise RuntimeError(f"the {server.kind} server exited ({process.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
            connection.request("GET", STATIC_PATH, headers={"Connection": "close"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the {server.kind} server did not answer in {timeout:.0f} s")
        time.sleep(0.05)


#: The "web floor": a tiny static file (332 bytes) served by the same app, client and server.
STATIC_PATH = "/assets/manifest.json"


def _serve(fd: int, threads: int) -> None:
    """One werkzeug worker: accept on the inherited socket `fd`; answer with `threads` threads."""
    import logging

    from broker import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app()
    server = _PooledServer(fd, app, threads)
    server.serve_forever(poll_interval=0.5)


class _PooledServer(BaseWSGIServer):
    """Werkzeug's server with a fixed pool of threads (like gunicorn's gthread worker)."""

    multithread = True

    def __init__(self, fd: int, app: Any, threads: int) -> None:
        super().__init__("127.0.0.1", 0, app, fd=fd)
        # Several workers accept on one socket: the loser of a race must not block.
        self.socket.setblocking(False)
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._answer, request, client_address)

    def _answer(self, request: Any, client_address: Any) -> None:
        try:
            request.setblocking(True)
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def main() -> None:
    parser = argparse.ArgumentParser(description="A benchmark server worker (internal).")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    # Stop when the benchmark closes our standard input, or dies without stopping us.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    _serve(args.fd, args.threads)


if __name__ == "__main__":
    main()
