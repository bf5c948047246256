"""The shape of the account forms; the rules live in broker.auth.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from broker import taxonomy
from broker.choices import choices


def _email(label: str = "Email address") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address"), Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def organisation_name() -> StringField:
    """Return the provider's organisation name field (registration and the provider's details)."""
    return StringField(
        "Organisation name",
        widget=GovTextInput(),
        description="The name schools will see on your listings.",
        validators=[InputRequired("Enter your organisation's name"), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )


def _new_password(label: str = "Create a password") -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description="At least 10 characters. A few unrelated words make a strong password.",
        validators=[InputRequired("Enter a password"), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Confirm the password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Confirm the password"), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class SignInForm(FlaskForm):
    email = _email()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class RegisterForm(FlaskForm):
    name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your full name"), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = _email()
    organisation = organisation_name()
    kind = RadioField(
        "What kind of organisation is it?",
        widget=GovRadioInput(),
        choices=choices(taxonomy.PROVIDER_KINDS),
        validators=[InputRequired("Select the kind of organisation")],
    )
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class EmailForm(FlaskForm):
    email = _email()
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password"), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password("New password")
    confirm = _confirm()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the code"), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )
    next = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class InviteForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's name"), Length(max=200)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's email address"), Length(max=254)],
        render_kw={"spellcheck": "false"},
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=choices(
            t for t in taxonomy.ROLES if t.slug in ("headteacher", "sip", "qa_officer")
        ),
        validators=[InputRequired("Select a role")],
    )
    schools = TextAreaField(
        "School URNs",
        widget=GovTextArea(),
        description="Headteacher: the school's URN. SIP: the URNs of their schools, one a line.",
        validators=[Length(max=2000)],
    )
    la_code = StringField(
        "Local authority code",
        widget=GovTextInput(),
        description="QA officers only (administrators): the LA's three-digit code.",
        validators=[Length(max=10)],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class EmailChoicesForm(FlaskForm):
    """Which kinds of notification the person gets by email (choices set from their role)."""

    emailed = SelectMultipleField(
        "Which of these do you want by email?",
        widget=GovCheckboxesInput(),
        description="Everything stays in your list of notifications whatever you choose.",
        validate_choice=False,
    )
    submit = SubmitField("Save your choices", widget=GovSubmitInput())


class MarkReadForm(FlaskForm):
    """A POST with nothing but its CSRF token."""

    submit = SubmitField("Mark all as read", widget=GovSubmitInput())
