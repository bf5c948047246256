"""The shape of QA and recommendation input; the rules live in broker.assurance.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from broker.assurance.services import IMPACT_MAX, IMPACT_MIN, REASON_MAX, SERVICE_TITLE_MAX


class RecommendForm(FlaskForm):
    impact_max = IMPACT_MAX
    service_title = StringField(
        "Which service did your school use?",
        widget=GovTextInput(),
        description="For example, the name of the course, programme or consultancy.",
        validators=[
            InputRequired("Enter the service your school used"),
            Length(
                max=SERVICE_TITLE_MAX,
                message=f"The service must be {SERVICE_TITLE_MAX} characters or fewer",
            ),
        ],
    )
    impact = TextAreaField(
        "What impact did it have?",
        widget=GovCharacterCount(),
        description="Say what changed for pupils or staff, with evidence if you can. "
        "Other schools and the QA officer will read this. "
        f"Write at least {IMPACT_MIN} characters (at most {IMPACT_MAX:,}).",
        validators=[
            InputRequired("Describe the impact the support had on your school"),
            Length(
                min=IMPACT_MIN,
                max=IMPACT_MAX,
                message=f"Describe the impact in {IMPACT_MIN} to {IMPACT_MAX} characters",
            ),
        ],
    )
    submit = SubmitField("Recommend", widget=GovSubmitInput())


class ReasonForm(FlaskForm):
    """A POST with an optional reason (decline, withdraw a recommendation)."""

    reason = TextAreaField(
        "Reason (optional)",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


def _required(label: str, message: str) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=[
            InputRequired(message),
            Length(max=REASON_MAX, message=f"Keep it to {REASON_MAX} characters or fewer"),
        ],
    )


class ApproveForm(FlaskForm):
    note = TextAreaField(
        "Note to the provider (optional)",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=f"Keep it to {REASON_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Approve and publish", widget=GovSubmitInput())


class ChangesForm(FlaskForm):
    message = _required("What needs to change?", "Enter a message to the provider")
    submit = SubmitField("Request changes", widget=GovSubmitInput())


class RejectForm(FlaskForm):
    reason = _required("Why is it rejected?", "Enter the reason for rejecting")
    submit = SubmitField("Reject", widget=GovSubmitInput())


class SuspendForm(FlaskForm):
    reason = _required("Why is it suspended?", "Enter the reason for suspending")
    submit = SubmitField("Suspend now", widget=GovSubmitInput())


class ReinstateForm(FlaskForm):
    reason = _required("Why is it reinstated?", "Enter the reason for reinstating")
    submit = SubmitField("Reinstate", widget=GovSubmitInput())


class AuditFilterForm(FlaskForm):
    """GET filter: no CSRF (shareable URLs)."""

    class Meta:
        csrf = False

    name = StringField(
        "Provider name contains",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer")],
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())
