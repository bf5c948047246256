"""Professional feedback with right of reply: how brokered work went, beyond the public
recommendation.

After brokered work is complete, the school's head (or a leader the head authorised) and its SIP
may each leave feedback for the provider; the provider may reply once. It is restricted: the
provider, the QA officers who assure the listing and the author see it, and they see it beside
the evidence when they re-assure the listing. It never reaches a public page, the API, the
Open Referral UK feed, a download, the printed directory or the search index: none of them
reads the feedback table.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feedback pages and the template globals the brokerage and QA pages call."""
    from broker.feedback import views

    app.register_blueprint(views.bp)
