"""Conflicts of interest: the register SIPs and QA officers keep of their interests in providers.

A SIP who shortlists a listing of a provider they have a current interest in must declare it
(broker.brokerage); a QA officer may not decide on a listing of such a provider
(broker.assurance). This feature keeps the register and answers "does this person have a
current interest in this provider?" for both.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the interests register pages (/account/interests)."""
    from broker.interests import views

    app.register_blueprint(views.bp)
