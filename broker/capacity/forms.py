"""The shape of the capacity form; its rules live in broker.capacity.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from broker.availability import MAX_DAYS
from broker.capacity.services import NOT_TAKING, TAKING
from broker.dateinput import GovDateField


class CapacityForm(FlaskForm):
    taking = RadioField(
        "Are you taking new work?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(TAKING, "Yes"),
            SelectChoice(NOT_TAKING, "No, not until a date"),
        ],
        validators=[InputRequired("Select whether you are taking new work")],
        validate_choice=False,
    )
    days = StringField(
        "If you are: days available for new work this term (optional)",
        widget=GovTextInput(),
        description=f"A whole number from 1 to {MAX_DAYS}, for example 12.",
        validators=[Optional(), Length(max=6, message="Enter the number of days, like 12")],
        render_kw={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"},
    )
    until = GovDateField(
        "If you are not: from when will you take new work again?",
        description="For example, 3 3 2027. Within the next 12 months.",
        what="the date you will take new work again",
        required=False,
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
