"""Saved-search pages: the list, saving a search from the results page, renaming, emails, deleting.

Every page is the signed-in user's own: anonymous visitors are sent to sign in; another user's
saved search is not found.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from broker.auth.access import login_required, signed_in_user
from broker.db import get_session
from broker.refusals import committed_or_shown
from broker.savedsearches import forms, services
from broker.search import services as search
from broker.search.engine import get_search

bp = Blueprint("savedsearches", __name__)

Page = str | Response | tuple[str, int]


def _status(form: forms.SavedSearchForm) -> int:
    return 400 if form.errors else 200


@bp.app_template_global()
def saved_search_url(row_params: dict[str, list[str]]) -> str:
    """Return the results page of a saved search."""
    query = services.query_string(row_params)
    return url_for("directory.results") + (f"?{query}" if query else "")


@bp.get("/saved-searches")
@login_required
def index() -> str:
    s = get_session()
    vocabularies = search.facet_vocabularies(s)
    rows = services.saved_by(s, signed_in_user())
    return render_template(
        "savedsearches/index.html",
        rows=[(row, services.describe(row.params, vocabularies)) for row in rows],
        max_saved=services.MAX_PER_USER,
    )


@bp.route("/saved-searches/new", methods=["GET", "POST"])
@login_required
def new() -> Page:
    s = get_session()
    vocabularies = search.facet_vocabularies(s)
    form = forms.NewSavedSearchForm()
    if request.method == "GET":
        # The results page links here with its own query: keep what it searched for.
        args = request.args.to_dict(flat=False)
        params = services.read_params(args, vocabularies)
        form.query.data = services.query_string(params)
        form.name.data = services.default_name(params, vocabularies)
    else:
        params = services.read_params(parse_qs(form.query.data or ""), vocabularies)
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            row = services.save(
                s,
                get_search(),
                signed_in_user(),
                form.name.data or "",
                params,
                bool(form.notify.data),
                vocabularies,
            )
        if not form.errors:
            flash(f"Search saved as ‘{row.name}’.", "success")
            return redirect(url_for("savedsearches.index"))
    return render_template(
        "savedsearches/form.html",
        form=form,
        described=services.describe(params, vocabularies),
        action=url_for("savedsearches.new"),
        title="Save this search",
        back=saved_search_url(params),
    ), _status(form)


@bp.route("/saved-searches/<id:saved_id>/edit", methods=["GET", "POST"])
@login_required
def edit(saved_id: int) -> Page:
    s = get_session()
    row = services.get_own(s, signed_in_user(), saved_id)
    vocabularies = search.facet_vocabularies(s)
    form = forms.SavedSearchForm(obj=row if request.method == "GET" else None)
    form.submit.label.text = "Save changes"
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            services.update(
                s, get_search(), row, form.name.data or "", bool(form.notify.data), vocabularies
            )
        if not form.errors:
            flash(f"‘{row.name}’ is saved.", "success")
            return redirect(url_for("savedsearches.index"))
    return render_template(
        "savedsearches/form.html",
        form=form,
        described=services.describe(row.params, vocabularies),
        action=url_for("savedsearches.edit", saved_id=saved_id),
        title="Change a saved search",
        back=url_for("savedsearches.index"),
    ), _status(form)


@bp.post("/saved-searches/<id:saved_id>/delete")
@login_required
def delete(saved_id: int) -> Response:
    s = get_session()
    row = services.get_own(s, signed_in_user(), saved_id)
    form = forms.DeleteForm()
    if not form.validate_on_submit():
        flash("The form has expired: try again.", "error")
        return redirect(url_for("savedsearches.index"))
    name = row.name
    services.delete(s, row)
    s.commit()
    flash(f"‘{name}’ is deleted.", "success")
    return redirect(url_for("savedsearches.index"))
