"""The shape of the shortlist, decline and impact forms; rules live in broker.brokerage.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from broker import taxonomy
from broker.brokerage.services import REASON_MAX
from broker.choices import choices
from broker.interests.services import DECLARATION_MAX


class ShortlistForm(FlaskForm):
    """Shortlist a listing for one of the SIP's schools' priorities (choices set by the view)."""

    listing_id = IntegerField(widget=HiddenInput(), validators=[InputRequired("Choose a listing")])
    priority_id = SelectField(
        "Shortlist for",
        widget=GovSelect(),
        description="One of the current priorities of the schools you are SIP for.",
        validators=[InputRequired("Select the school's priority to shortlist this for")],
        validate_choice=False,
    )
    declaration = TextAreaField(
        "Your interest in this provider",
        widget=GovTextArea(),
        description="Say what your interest is. The headteacher and the local authority see "
        "this beside the shortlisted support.",
        validators=[
            Length(
                max=DECLARATION_MAX,
                message=f"The declaration must be {DECLARATION_MAX} characters or fewer",
            )
        ],
    )
    submit = SubmitField("Add to shortlist", widget=GovSubmitInput())


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Why is the school declining this support?",
        widget=GovTextArea(),
        description="The SIP and the LA see this; the provider does not.",
        validators=[
            InputRequired("Say why the school is declining this support"),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Decline", widget=GovSubmitInput())


class ImpactForm(FlaskForm):
    rating = RadioField(
        "How much impact did the support have on the priority?",
        widget=GovRadioInput(),
        choices=choices(taxonomy.IMPACT_RATINGS),
        validators=[InputRequired("Select how much impact the support had, from 1 to 4")],
        validate_choice=False,
    )
    impact = TextAreaField(
        "Describe the impact",
        widget=GovTextArea(),
        description="What changed for pupils and staff, with evidence where you have it.",
        validators=[
            InputRequired("Describe the impact on the priority"),
            Length(
                max=REASON_MAX, message=f"The description must be {REASON_MAX} characters or fewer"
            ),
        ],
    )
    submit = SubmitField("Record impact", widget=GovSubmitInput())


class StepForm(FlaskForm):
    """A confirmation with nothing but its CSRF token (agree, start, complete)."""
