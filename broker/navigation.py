"""The service navigation: each feature declares its links once; base.html shows those the user may use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: str
    #: Roles that see the link; empty means everyone (signed in or not).
    roles: tuple[str, ...] = ()
    #: Endpoints (or prefixes ending in ".") under which this link is marked active.
    active: tuple[str, ...] = ()


#: In display order. A link whose endpoint is not registered is skipped, so features can land in any order.
ITEMS: tuple[NavItem, ...] = (
    NavItem("directory.home", "Home"),
    NavItem(
        "directory.results",
        "Find support",
        active=("directory.results", "directory.listing"),
    ),
    NavItem(
        "schools.index", "Your schools", roles=("sip", "qa_officer", "admin"), active=("schools.",)
    ),
    NavItem(
        "recommendations.decisions",
        "Decisions",
        roles=("headteacher", "school_leader"),
        active=("recommendations.decisions", "brokerage."),
    ),
    NavItem(
        "schools.index",
        "Your school",
        roles=("headteacher", "school_leader"),
        active=("schools.",),
    ),
    NavItem(
        "recommendations.dashboard",
        "Recommendations",
        roles=("headteacher", "school_leader"),
        active=(
            "recommendations.dashboard",
            "recommendations.answer",
            "recommendations.recommend_form",
            "recommendations.confirm",
            "recommendations.recommend",
        ),
    ),
    NavItem(
        "submissions.dashboard", "Your listings", roles=("provider",), active=("submissions.",)
    ),
    NavItem(
        "assurance.queue",
        "Quality assurance",
        roles=("qa_officer", "admin"),
        active=("assurance.",),
    ),
    NavItem(
        "insight.supply_demand",
        "Supply and demand",
        roles=("qa_officer", "admin"),
        active=("insight.supply_demand", "insight.supply_demand_csv"),
    ),
    NavItem(
        "insight.brokering_spread",
        "Brokering spread",
        roles=("qa_officer", "admin"),
        active=("insight.brokering_spread", "insight.brokering_spread_csv"),
    ),
    NavItem(
        "auth.notifications_list",
        "Notifications",
        roles=("sip", "headteacher", "school_leader", "provider", "qa_officer", "admin"),
        active=("auth.notifications_list", "auth.notification_settings"),
    ),
)


#: app.extensions key: endpoint -> a function counting what is new there for the signed-in user.
COUNTERS = "broker.navigation.counters"


def add_counter(app: Flask, endpoint: str, count: Callable[[], int]) -> None:
    """Show `count()` (when above 0) beside the link to `endpoint`, e.g. "Notifications (2 new)"."""
    app.extensions.setdefault(COUNTERS, {})[endpoint] = count


def _is_active(item: NavItem) -> bool:
    endpoint = request.endpoint or ""
    keys = item.active or (item.endpoint,)
    return any(endpoint.startswith(k) if k.endswith(".") else endpoint == k for k in keys)


def items_for_user(app: Flask) -> list[dict[str, object]]:
    """Return the navigation entries (GOV.UK service navigation params) for the current user."""
    role = getattr(current_user, "role", None) if current_user.is_authenticated else None
    entries = []
    for item in ITEMS:
        if item.endpoint not in app.view_functions:
            continue
        if item.roles and role not in item.roles:
            continue
        text = item.text
        counter = app.extensions.get(COUNTERS, {}).get(item.endpoint)
        if counter is not None and role is not None:
            try:
                new = counter()
            except Exception:  # an error page (the database down) must still render
                app.logger.warning("Navigation count for %s failed", item.endpoint)
                new = 0
            if new > 0:
                text = f"{text} ({new} new)"
        entries.append({"href": url_for(item.endpoint), "text": text, "active": _is_active(item)})
    return entries
