"""A service's refusal shown on the form that asked for it.

Services refuse input by raising InvalidInput(field, message) (house style, habit 7); a view runs the
service inside `committed_or_shown(session, form)`: the change is committed, or rolled back with the
message put on the field it names, and the view re-renders the form when `form.errors` says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import Field

from broker.errors import InvalidInput


def show_on_form(form: FlaskForm, exc: InvalidInput, default: Field | None = None) -> None:
    """Put the refusal's message on the field it names (else `default`, else the first field)."""
    field = getattr(form, exc.field, None) or (default if default is not None else next(iter(form)))
    field.errors = [*field.errors, exc.message]


@contextmanager
def committed_or_shown(
    session: Session, form: FlaskForm, default: Field | None = None
) -> Iterator[None]:
    """Commit what the block changes; on InvalidInput roll back and show it on the form instead."""
    try:
        yield
    except InvalidInput as exc:
        session.rollback()
        show_on_form(form, exc, default)
    else:
        session.commit()
