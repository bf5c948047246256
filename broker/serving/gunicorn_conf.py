"""gunicorn's settings for `broker serve`, from BROKER_* variables (broker.config.server).

Operators may also run gunicorn directly: `gunicorn -c python:broker.serving.gunicorn_conf`.
"""

from __future__ import annotations

from typing import Any

from broker import config as _config  # `config` is itself a gunicorn setting name

_settings = _config.server()
_app = _config.load(_config.instance_path())

wsgi_app = "broker:create_app()"
bind = [_settings["BIND"]]
workers = _settings["WORKERS"]
threads = _settings["THREADS"]
worker_class = "gthread"
timeout = _settings["TIMEOUT"]
graceful_timeout = _settings["GRACEFUL_TIMEOUT"]
keepalive = _settings["KEEPALIVE"]
proc_name = "broker"
# gunicorn's control socket defaults to one path per user: two servers would fight over it.
control_socket_disable = True
# Client addresses and the scheme come from ProxyFix (BROKER_TRUSTED_PROXIES) alone.
forwarded_allow_ips = ""
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "broker.logs.RequestIdFilter"}},
    "formatters": {
        "broker": {"()": "broker.logs.formatter", "kind": _app["LOG_FORMAT"]},
        "access": {"()": "broker.logs.formatter", "kind": _app["LOG_FORMAT"], "access": True},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "broker",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["request_id"],
            "stream": "ext://sys.stdout",
        },
    },
    # Libraries' warnings through the root logger; the app's own loggers have their own handler
    # (broker.logs.configure), so they do not pass theirs up as well.
    "root": {"level": "WARNING", "handlers": ["error"]},
    "loggers": {
        "broker": {"propagate": False},
        "flask-limiter": {"propagate": False},
        "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}


def post_worker_init(worker: Any) -> None:
    """Start this worker's mail courier, lapse scheduler and (on PostgreSQL) index listener,
    and warm its search up (so that its first search does not wait for the sentence model)."""
    from broker.lifecycle import scheduler
    from broker.mail import courier
    from broker.search import listener
    from broker.search.engine import get_search

    courier.start(worker.wsgi)
    scheduler.start(worker.wsgi)
    listener.start(worker.wsgi)
    get_search(worker.wsgi).start_warm_up()
