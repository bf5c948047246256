"""Offline on a visit (issue 14): the service worker, the offline page, the device's copy of a
SIP's directory and schools, and the drafts typed offline and sent back."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the offline blueprint and the cache of directory bundles."""
    from broker.offline import services, views

    app.extensions["broker.offline.bundles"] = services.BundleCache(
        int(app.config.get("OFFLINE_BUNDLES_CACHED", 16))
    )
    app.register_blueprint(views.bp)
