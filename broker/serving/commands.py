"""`broker serve` (gunicorn: production) and `broker run` (Werkzeug: development)."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask
from flask.cli import (
    NoAppException,
    ScriptInfo,
    get_debug_flag,
    pass_script_info,
    show_server_banner,
)
from werkzeug.serving import run_simple

from broker.serving.devserver import QuietRequestHandler

GUNICORN_CONFIG = "python:broker.serving.gunicorn_conf"


def _load(info: ScriptInfo) -> Flask:
    """Create the app, or stop with the configuration problem as one line (no usage text)."""
    try:
        return info.load_app()
    except NoAppException as exc:
        raise click.ClickException(exc.message) from None


@click.command("serve")
@click.option("--bind", help="host:port to listen on (default: BROKER_BIND, 127.0.0.1:8000).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (BROKER_WORKERS).")
@click.option("--threads", type=click.IntRange(1, 64), help="Threads per worker (BROKER_THREADS).")
@pass_script_info
def serve_command(
    info: ScriptInfo, bind: str | None, workers: int | None, threads: int | None
) -> None:
    """Serve the application with gunicorn: several workers and threads (production)."""
    _load(info)  # refuse a bad configuration here, in one line, before forking workers
    for name, value in (("BIND", bind), ("WORKERS", workers), ("THREADS", threads)):
        if value is not None:
            os.environ[f"BROKER_{name}"] = str(value)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become gunicorn (same process id, so a supervisor's signals reach its master).
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG])  # noqa: S606


@click.command("run", short_help="Run the development server.")
@click.option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@click.option("--port", "-p", default=5000, help="The port to bind to.")
@click.option("--reload/--no-reload", default=None, help="Reload on code changes (default: debug).")
@click.option("--debugger/--no-debugger", default=None, help="The debugger (default: debug).")
@pass_script_info
def run_command(
    info: ScriptInfo, host: str, port: int, reload: bool | None, debugger: bool | None
) -> None:
    """Run Werkzeug's development server (for `make run`; use `broker serve` in production)."""
    app = _load(info)
    debug = get_debug_flag()
    use_reloader = debug if reload is None else reload
    if not use_reloader or os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        from broker.lifecycle import scheduler
        from broker.search import listener

        listener.start(app)  # in the process that serves (the reloader's child), on PostgreSQL
        scheduler.start(app)
    show_server_banner(debug, info.app_import_path)
    run_simple(
        host,
        port,
        app,
        use_reloader=use_reloader,
        use_debugger=debug if debugger is None else debugger,
        threaded=True,
        request_handler=QuietRequestHandler,
    )
