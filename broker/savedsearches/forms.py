"""The shape of the saved-search forms; rules live in broker.savedsearches.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from broker.savedsearches.services import MAX_NAME

#: A results page's query string is never longer than this (the search text is capped well below).
MAX_QUERY = 4000


class SavedSearchForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="So you can tell your saved searches apart.",
        validators=[
            InputRequired("Enter a name for the search"),
            Length(max=MAX_NAME, message=f"The name must be {MAX_NAME} characters or fewer"),
        ],
    )
    notify = BooleanField(
        "Email me when new support matches this search (at most once a day)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save search", widget=GovSubmitInput())


class NewSavedSearchForm(SavedSearchForm):
    #: The results page's query string: the words and filters to keep.
    query = HiddenField(validators=[Length(max=MAX_QUERY, message="That search is too long")])


class DeleteForm(FlaskForm):
    submit = SubmitField("Delete", widget=GovSubmitInput())
