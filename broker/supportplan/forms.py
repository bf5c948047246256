"""The shape of a brokerage's plan details form; the rules live in broker.supportplan.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from broker.dateinput import GovDateField
from broker.supportplan.services import COST_NOTE_MAX, CRITERIA_MAX


class PlanDetailsForm(FlaskForm):
    """When the work is planned, what it costs the school, and how its impact will be judged."""

    planned_start = GovDateField(
        "Planned start (optional)",
        description="For example, 12 1 2027",
        what="the planned start",
        required=False,
    )
    planned_end = GovDateField(
        "Planned end (optional)",
        description="For example, 26 3 2027",
        what="the planned end",
        required=False,
    )
    agreed_cost = StringField(
        "Agreed cost (optional)",
        widget=GovTextInput(),
        description="In pounds, for the whole piece of work. Enter 0 if it is free to the school.",
        validators=[
            Length(max=30, message="Enter the agreed cost in pounds, like 1250 or 1250.50")
        ],
    )
    cost_note = StringField(
        "How the cost is made up or paid for (optional)",
        widget=GovTextInput(),
        description="For example, 3 days at £450, or funded by the local authority.",
        validators=[
            Length(
                max=COST_NOTE_MAX,
                message=f"The note on the cost must be {COST_NOTE_MAX} characters or fewer",
            )
        ],
    )
    success_criteria = TextAreaField(
        "How will its impact be judged? (optional)",
        widget=GovTextArea(),
        description="What will have changed for pupils or staff, and the evidence you will look "
        "at. The governing body reads this in the support plan.",
        validators=[
            Length(
                max=CRITERIA_MAX,
                message=f"How impact will be judged must be {CRITERIA_MAX} characters or fewer",
            )
        ],
    )
    submit = SubmitField("Save plan details", widget=GovSubmitInput())
