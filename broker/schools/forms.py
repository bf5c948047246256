"""The shape of the visit, priority and SIP-assignment forms; rules live in broker.schools.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from broker import taxonomy
from broker.choices import choices
from broker.dateinput import GovDateField
from broker.schools.services import DESCRIPTION_MAX, NOTES_MAX


class VisitForm(FlaskForm):
    visited_on = GovDateField(
        "Date of the visit", description="For example, 27 3 2026", what="the date of the visit"
    )
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
        what="the date of the next visit",
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


class LeaderForm(FlaskForm):
    """A head authorises a leader of the school (rules in broker.schools.leaders)."""

    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the leader’s name"), Length(max=200)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="Their school email address. If they have no account yet, we email them an "
        "invitation to set a password.",
        validators=[InputRequired("Enter the leader’s email address"), Length(max=254)],
    )
    title = StringField(
        "Their role at the school",
        widget=GovTextInput(),
        description="For example, Deputy headteacher or School business manager.",
        validators=[
            InputRequired("Enter their role at the school, for example Deputy headteacher"),
            Length(max=100, message="The role must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Authorise", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token (removing, confirming)."""
