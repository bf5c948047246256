"""The shape of the insight pages' forms; the rules of a period live in broker.insight.spread."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField

from broker.dateinput import GovDateField
from broker.insight.spread import PERIODS


class PeriodForm(FlaskForm):
    """GET filter: no CSRF (shareable URLs). The dates count only for "Dates you choose"."""

    class Meta:
        csrf = False

    period = RadioField(
        "Which period?",
        widget=GovRadioInput(),
        choices=[SelectChoice(value, words) for value, words in PERIODS.items()],
        validators=[],
        validate_choice=False,
    )
    start = GovDateField(
        "First day of the period",
        description="Only for “Dates you choose”. For example, 1 9 2024",
        what="the first day",
        required=False,
    )
    end = GovDateField(
        "Last day of the period",
        description="Only for “Dates you choose”; the day is included. For example, 31 8 2025",
        what="the last day",
        required=False,
    )
    submit = SubmitField("Show figures", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        if self.period.data in PERIODS and self.period.data != "custom":
            # Dates left in the boxes from an earlier choice are not asked for: ignore them.
            for box in (self.start, self.end):
                box.problem, box.data = None, None
        return bool(super().validate(extra_validators))
