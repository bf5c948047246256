"""The shape of the register-of-interests forms; rules live in broker.interests.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from broker import taxonomy
from broker.choices import choices
from broker.dateinput import GovDateField
from broker.interests.services import DETAILS_MAX, PROVIDER_NAME_MAX


class InterestForm(FlaskForm):
    provider = StringField(
        "Provider",
        widget=GovTextInput(),
        description="The provider’s name as the directory shows it.",
        validators=[
            InputRequired("Enter the provider’s name"),
            Length(
                max=PROVIDER_NAME_MAX,
                message=f"The provider’s name must be {PROVIDER_NAME_MAX} characters or fewer",
            ),
        ],
    )
    kind = RadioField(
        "What is your interest?",
        widget=GovRadioInput(),
        choices=choices(taxonomy.INTEREST_KINDS),
        validators=[InputRequired("Select the kind of interest")],
        validate_choice=False,
    )
    details = TextAreaField(
        "Details (optional)",
        widget=GovTextArea(),
        description="For example, your role, or who in your family.",
        validators=[
            Optional(),
            Length(
                max=DETAILS_MAX, message=f"The details must be {DETAILS_MAX} characters or fewer"
            ),
        ],
    )
    started_on = GovDateField(
        "When did it start?",
        description="For example, 1 9 2024",
        what="the date the interest started",
    )
    ended_on = GovDateField(
        "When did it end? (optional)",
        description=f"Leave empty if it continues. It still counts for "
        f"{taxonomy.INTEREST_YEARS} years after it ends.",
        what="the date the interest ended",
        required=False,
    )
    submit = SubmitField("Add to your register", widget=GovSubmitInput())


class RemoveForm(FlaskForm):
    """A confirmation with nothing but its CSRF token."""

    submit = SubmitField("Remove", widget=GovSubmitInput())
