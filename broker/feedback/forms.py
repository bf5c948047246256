"""The shape of the feedback and reply forms; rules live in broker.feedback.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from broker.feedback.services import REPLY_MAX, TEXT_MAX


class FeedbackForm(FlaskForm):
    text_max = TEXT_MAX
    would_use_again = RadioField(
        "Would you use this provider again?",
        widget=GovRadioInput(),
        description="The provider and the local authority’s quality assurance officers see "
        "your answer with your feedback.",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired("Select whether you would use this provider again")],
        validate_choice=False,
    )
    text = TextAreaField(
        "Your feedback",
        widget=GovCharacterCount(),
        description="How the work went: what was good, what could have been better. "
        "The provider, the local authority's quality assurance officers and you can read it; "
        "nobody else, and never the public. You cannot change it once it is sent.",
        validators=[
            InputRequired("Enter your feedback"),
            Length(max=TEXT_MAX, message=f"Your feedback must be {TEXT_MAX:,} characters or fewer"),
        ],
    )
    submit = SubmitField("Send feedback", widget=GovSubmitInput())


class ReplyForm(FlaskForm):
    reply_max = REPLY_MAX
    reply = TextAreaField(
        "Your reply",
        widget=GovCharacterCount(),
        description="The author and the local authority's quality assurance officers read it "
        "beside the feedback. You can reply only once, and cannot change the reply.",
        validators=[
            InputRequired("Enter your reply"),
            Length(max=REPLY_MAX, message=f"Your reply must be {REPLY_MAX:,} characters or fewer"),
        ],
    )
    submit = SubmitField("Send reply", widget=GovSubmitInput())
