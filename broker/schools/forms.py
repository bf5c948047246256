"""The shape of the visit, priority and SIP-assignment forms; rules live in broker.schools.services."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from broker import taxonomy
from broker.choices import choices
from broker.schools.services import DESCRIPTION_MAX, NOTES_MAX


class GovDateField(Field):
    """A date in three boxes (day, month, year), with GOV.UK error messages."""

    widget = GovDateInput()

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        subject: str = "The date of the visit",
        required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.problem: str | None = None
        #: How messages name the date ("The date of the visit must include a month").
        self.subject = subject
        self.required = required

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        self.problem = None
        parts = [(v or "").strip() for v in valuelist[:3]]
        while len(parts) < 3:
            parts.append("")
        self.raw_data = parts
        if not any(parts):
            return
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            self.problem = f"{self.subject} must include a {' and '.join(missing)}"
            return
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            self.problem = f"{self.subject} must be a real date, like 27 3 2026"
            return
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.problem = f"{self.subject} must be a real date, like 27 3 2026"

    def pre_validate(self, form: Any) -> None:
        if self.problem:
            raise ValidationError(self.problem)
        if self.data is None and self.required:
            raise ValidationError(f"Enter {self.subject[0].lower()}{self.subject[1:]}")


class VisitForm(FlaskForm):
    visited_on = GovDateField("Date of the visit", description="For example, 27 3 2026")
    evidence = SelectMultipleField(
        "What evidence did you look at?",
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
        choices=choices(taxonomy.EVIDENCE),
        validators=[InputRequired("Select the evidence you looked at")],
        validate_choice=False,
    )
    evidence_notes = TextAreaField(
        "Notes on the evidence (optional)",
        widget=GovTextArea(),
        description="Required if you selected Other. Only the school, its SIP and the LA see these.",
        validators=[
            Length(max=NOTES_MAX, message=f"Notes must be {NOTES_MAX} characters or fewer")
        ],
    )
    support_category = RadioField(
        "The school's support category",
        widget=GovRadioInput(),
        description="Confidential to the school, its SIP and the LA's QA officers.",
        choices=[
            SelectChoice(t.slug, f"{t.label}: {t.hint[0].lower()}{t.hint[1:]}")
            for t in taxonomy.SUPPORT_CATEGORIES
        ],
        validators=[InputRequired("Select the school's support category")],
        validate_choice=False,
    )
    next_visit_on = GovDateField(
        "Next visit (optional)",
        description="If you agreed the date of your next visit, for example 12 5 2027. "
        "It puts the school in date order on your list.",
        subject="The date of the next visit",
        required=False,
    )
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


class PriorityForm(FlaskForm):
    description = TextAreaField(
        "Describe the priority",
        widget=GovTextArea(),
        description="In your own words, as agreed with the head: this is what the directory searches on.",
        validators=[
            InputRequired("Describe the priority in your own words"),
            Length(
                max=DESCRIPTION_MAX,
                message=f"The description must be {DESCRIPTION_MAX} characters or fewer",
            ),
        ],
    )
    category = SelectField(
        "Area of support",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose an area"), *choices(taxonomy.CATEGORIES)],
        validators=[InputRequired("Select the area of support")],
        validate_choice=False,
    )
    ecm_outcomes = SelectMultipleField(
        "Every Child Matters outcomes (optional)",
        widget=GovCheckboxesInput(),
        choices=choices(taxonomy.ECM_OUTCOMES),
        validate_choice=False,
    )
    pupil_groups = SelectMultipleField(
        "Pupil groups concerned (optional)",
        widget=GovCheckboxesInput(),
        choices=choices(taxonomy.PUPIL_GROUPS),
        validate_choice=False,
    )
    rag = RadioField(
        "RAG rating",
        widget=GovRadioInput(),
        choices=[SelectChoice(t.slug, f"{t.label}: {t.hint}") for t in taxonomy.RAG_RATINGS],
        validators=[InputRequired("Select a RAG rating: red, amber or green")],
        validate_choice=False,
    )
    submit = SubmitField("Save priority", widget=GovSubmitInput())
    another = SubmitField("Save and add another priority", widget=GovSubmitInput())


class AssignSipForm(FlaskForm):
    email = StringField(
        "The SIP's email address",
        widget=GovTextInput(),
        description="They must already have an account as a School Improvement Partner.",
        validators=[InputRequired("Enter the SIP's email address"), Length(max=254)],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    submit = SubmitField("Assign SIP", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token (removing, confirming)."""
