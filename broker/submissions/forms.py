"""The shape of the submission pages; the rules live in broker.submissions.services."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from broker import taxonomy
from broker.auth.forms import organisation_name
from broker.choices import choices


def _tidy(params: dict[str, Any], field: Any) -> dict[str, Any]:
    """Keep the legend's text when a template styles it, and drop an empty hint."""
    hint = params.get("hint") or {}
    if not (hint.get("text") or hint.get("html")):
        params.pop("hint", None)
    legend = params.get("fieldset", {}).get("legend")
    if legend is not None and not (legend.get("text") or legend.get("html")):
        legend["text"] = field.label.text
    return params


class CheckboxesWidget(GovCheckboxesInput):
    """GOV.UK checkboxes whose legend survives template params and without an empty hint."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        return _tidy(super().map_gov_params(field, **kwargs), field)


class RadiosWidget(GovRadioInput):
    """GOV.UK radios whose legend survives template params and without an empty hint."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        return _tidy(super().map_gov_params(field, **kwargs), field)


def _checkboxes(
    label: str, vocabulary: taxonomy.Vocabulary, required: str | None = None, hint: str = ""
) -> SelectMultipleField:
    validators = [InputRequired(required)] if required else [Optional()]
    return SelectMultipleField(
        label,
        widget=CheckboxesWidget(),
        choices=choices(vocabulary),
        validators=validators,
        description=hint,
    )


class _PageForm(FlaskForm):
    """Every page saves with "Save and continue"; drafts may also be kept half-done."""

    submit = SubmitField("Save and continue", widget=GovSubmitInput())
    later = SubmitField("Save and come back later", widget=GovSubmitInput())


class OrganisationForm(_PageForm):
    name = organisation_name()
    kind = RadioField(
        "What kind of organisation is it?",
        widget=RadiosWidget(),
        choices=choices(taxonomy.PROVIDER_KINDS),
        validators=[InputRequired("Select the kind of organisation")],
    )
    school_urn = StringField(
        "Your school's URN",
        widget=GovTextInput(),
        description="Only for school-to-school support: the unique reference number of your "
        "school, for example 100001.",
        validators=[Optional(), Length(max=12, message="A URN has at most 12 characters")],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    website = StringField(
        "Website (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "url", "spellcheck": "false"},
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="Where schools and QA officers can write to you.",
        validators=[InputRequired("Enter an email address"), Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    phone = StringField(
        "Telephone (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel"},
    )
    la = SelectField(
        "Local authority you are based in (optional)",
        widget=GovSelect(),
        choices=[],
        validate_choice=True,
        validators=[Optional()],
    )


#: The longest description a listing may have (the character count shows it).
DESCRIPTION_MAX = 10_000


class AboutForm(_PageForm):
    description_max = DESCRIPTION_MAX
    title = StringField(
        "Title of the service",
        widget=GovTextInput(),
        description="A short name schools will recognise, for example “Phonics catch-up for Year 1”.",
        validators=[InputRequired("Enter the title of the service"), Length(max=200)],
    )
    summary = TextAreaField(
        "Summary",
        widget=GovCharacterCount(),
        description="One or two sentences shown in search results.",
        validators=[
            InputRequired("Enter a summary of the service"),
            Length(max=600, message="The summary must be 600 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovCharacterCount(),
        description="What you do, how the work runs, and what schools can expect.",
        validators=[
            Optional(),
            Length(
                max=DESCRIPTION_MAX,
                message=f"The description must be {DESCRIPTION_MAX:,} characters or fewer",
            ),
        ],
    )
    categories = _checkboxes(
        "Areas of support",
        taxonomy.CATEGORIES,
        "Select at least one area of support",
        "Select all that apply.",
    )
    ecm_outcomes = _checkboxes(
        "Every Child Matters outcomes (optional)",
        taxonomy.ECM_OUTCOMES,
        hint="The outcomes for children the service helps with.",
    )


class AudienceForm(_PageForm):
    phases = _checkboxes(
        "Phases", taxonomy.PHASES, "Select at least one phase", "Select all that apply."
    )
    sen_specialisms = _checkboxes(
        "SEN specialisms (optional)",
        taxonomy.SEN_SPECIALISMS,
        hint="Only where the service is for particular special educational needs.",
    )
    pupil_groups = _checkboxes(
        "Pupil groups (optional)",
        taxonomy.PUPIL_GROUPS,
        hint="Groups of pupils the service targets.",
    )


class DeliveryForm(_PageForm):
    delivery = _checkboxes(
        "How is it delivered?",
        taxonomy.DELIVERY,
        "Select how the service is delivered",
        "Select all that apply.",
    )
    national = BooleanField("All of England (national)", widget=GovCheckboxInput())
    regions = _checkboxes("Regions (optional)", taxonomy.REGIONS)
    local_authorities = SelectMultipleField(
        "Local authorities (optional)",
        widget=CheckboxesWidget(),
        choices=[],
        validators=[Optional()],
    )


class CostForm(_PageForm):
    cost = RadioField(
        "What does it cost schools?",
        widget=RadiosWidget(),
        choices=choices(taxonomy.COSTS),
        validators=[InputRequired("Select what the service costs")],
    )
    price_note = StringField(
        "Price note",
        widget=GovTextInput(),
        description="Required when the service is paid, for example “£450 a day” or "
        "“£95 per delegate”.",
        validators=[
            Optional(),
            Length(max=300, message="The price note must be 300 characters or fewer"),
        ],
    )


class ContactForm(_PageForm):
    contact_name = StringField(
        "Contact name (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    contact_email = StringField(
        "Contact email address (optional)",
        widget=GovTextInput(),
        description="Leave blank to use your organisation's email address.",
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    contact_phone = StringField(
        "Contact telephone (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel"},
    )


PAGE_FORMS: dict[str, type[_PageForm]] = {
    "about": AboutForm,
    "audience": AudienceForm,
    "delivery": DeliveryForm,
    "cost": CostForm,
    "contact": ContactForm,
}


class SchoolSearchForm(FlaskForm):
    """The referee search box: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Find a school by name or URN",
        widget=GovTextInput(),
        validators=[Length(max=100, message="Enter 100 characters or fewer")],
        render_kw={"spellcheck": "false"},
    )


class ConfirmForm(FlaskForm):
    """A button with CSRF protection (add/remove a referee, submit, renew, discard)."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why are you withdrawing it? (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Enter 2,000 characters or fewer")],
    )
    submit = SubmitField("Withdraw listing", widget=GovSubmitInput())
