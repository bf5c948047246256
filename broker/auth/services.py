"""Account rules: sign-in, sessions, second factor, emailed one-time links, invitations.

Services take a Session and the time (`now`), change rows and queue mail in the caller's
transaction, and raise errors; the caller commits. They never touch the request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from broker import caseload, mail, taxonomy
from broker.auth import passwords, throttle, totp
from broker.errors import BrokerError, Forbidden, InvalidInput
from broker.models import (
    LocalAuthority,
    OneTimeToken,
    Provider,
    RecoveryCode,
    School,
    SipAssignment,
    User,
    UserSession,
)

#: Build the absolute URL of an emailed link from its raw token.
LinkBuilder = Callable[[str], str]

INVITED_ROLES = ("headteacher", "sip", "qa_officer")
RECOVERY_CODE_COUNT = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidToken(BrokerError):
    """An emailed link that is unknown, used, or out of date."""

    status = 400


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live, and how many failures the throttle allows."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    max_failures_per_account_and_address: int = 5
    max_failures_per_account: int = 10
    max_failures_per_address: int = 100
    failure_window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: Any) -> SessionPolicy:
        """Read the policy from the app settings."""
        return cls(
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
            max_failures_per_account_and_address=config[
                "LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"
            ],
            max_failures_per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            max_failures_per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            failure_window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
        )


# --- small helpers ------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """Return the comparable form of an email address (trimmed, lower case)."""
    return email.strip().lower()


def check_email(field: str, email: str) -> str:
    """Return the normalised address or raise InvalidInput naming `field`."""
    email = normalise_email(email)
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput(
            field, "Enter an email address in the correct format, like name@example.org"
        )
    return email


def hash_token(raw: str) -> str:
    """Return the stored form of a token or code (SHA-256 hex: the raw value is never stored)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive values for columns it stored; every stored time is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def user_by_email(session: Session, email: str) -> User | None:
    """Return the user with this address (any case), or None."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def check_new_password(user_email: str, user_name: str, password: str, confirm: str | None) -> None:
    """Raise InvalidInput unless the password meets the policy (and matches its confirmation)."""
    problem = passwords.password_problem(password, email=user_email, name=user_name)
    if problem:
        raise InvalidInput("password", problem)
    if confirm is not None and password != confirm:
        raise InvalidInput("confirm", "The passwords do not match")


# --- emailed one-time links ---------------------------------------------------------------


def issue_token(
    session: Session,
    user: User,
    purpose: str,
    lifetime: timedelta,
    now: datetime,
    created_by: User | None = None,
    keep_earlier: bool = False,
) -> str:
    """Create a single-use link token for `user`; earlier ones of the purpose end unless kept."""
    if not keep_earlier:
        session.exec(
            update(OneTimeToken)
            .where(
                col(OneTimeToken.user_id) == user.id,
                col(OneTimeToken.purpose) == purpose,
                col(OneTimeToken.used_at).is_(None),
            )
            .values(used_at=now)
        )
    raw = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        OneTimeToken(
            purpose=purpose,
            token_hash=hash_token(raw),
            user_id=user.id,
            created_by_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return raw


def peek_token(session: Session, raw: str, purpose: str, now: datetime) -> User:
    """Return the user a valid, unused token belongs to, without using it up."""
    token = session.exec(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == hash_token(raw), OneTimeToken.purpose == purpose
        )
    ).first()
    if token is None or token.used_at is not None or _aware(token.expires_at) <= now:
        raise InvalidToken("This link has expired or has already been used.")
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise InvalidToken("This link has expired or has already been used.")
    return user


def consume_token(session: Session, raw: str, purpose: str, now: datetime) -> User:
    """Use up a token exactly once (even under concurrent requests) and return its user."""
    user = peek_token(session, raw, purpose, now)
    used = session.exec(
        update(OneTimeToken)
        .where(col(OneTimeToken.token_hash) == hash_token(raw), col(OneTimeToken.used_at).is_(None))
        .values(used_at=now)
    ).rowcount
    if used != 1:
        raise InvalidToken("This link has expired or has already been used.")
    return user


# --- provider registration and email confirmation -----------------------------------------


def register_provider(
    session: Session,
    *,
    name: str,
    email: str,
    password: str,
    confirm: str,
    organisation: str,
    kind: str,
    link: LinkBuilder,
    lifetime: timedelta,
    now: datetime,
) -> User | None:
    """Create a provider and its first user, and email a confirmation link.

    When the address already has an account nothing is created and that address is told by
    email instead, so the form never reveals who has an account.
    """
    email = check_email("email", email)
    if kind not in taxonomy.PROVIDER_KINDS:
        raise InvalidInput("kind", "Select the kind of organisation")
    check_new_password(email, name, password, confirm)
    existing = user_by_email(session, email)
    if existing is not None:
        mail.queue_template(
            session,
            email,
            "You already have an account",
            "already_registered.txt",
            name=existing.name,
        )
        return None
    provider = Provider(
        name=organisation.strip(), kind=kind, email=email, created_at=now, updated_at=now
    )
    session.add(provider)
    session.flush()
    user = User(
        email=email,
        name=name.strip(),
        role="provider",
        provider_id=provider.id,
        password_hash=passwords.hash_password(password),
        password_changed_at=now,
        created_at=now,
    )
    session.add(user)
    session.flush()
    _send_confirmation(session, user, link, lifetime, now)
    return user


def _send_confirmation(
    session: Session,
    user: User,
    link: LinkBuilder,
    lifetime: timedelta,
    now: datetime,
    keep_earlier: bool = False,
) -> None:
    raw = issue_token(session, user, "confirm", lifetime, now, keep_earlier=keep_earlier)
    mail.queue_template(
        session, user.email, "Confirm your email address", "confirm_email.txt",
        name=user.name, link=link(raw), expires=now + lifetime,
    )  # fmt: skip


def confirm_email(session: Session, raw: str, now: datetime) -> User:
    """Mark the address of the token's user as confirmed."""
    user = consume_token(session, raw, "confirm", now)
    user.email_confirmed_at = user.email_confirmed_at or now
    session.add(user)
    return user


# --- signing in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: a user, or why not."""

    user: User | None = None
    problem: str | None = None  # "invalid", "throttled", "unconfirmed"
    attempt: Sequence[int] = ()


def _account_and_address(email: str, address: str) -> str:
    return f"{normalise_email(email)[:254]} {address[:45]}"


def note_attempt(
    session: Session, email: str, address: str, policy: SessionPolicy, now: datetime
) -> Sequence[int] | None:
    """Count a sign-in attempt; None when over a limit (the caller commits at once).

    The account from this address, and the account from anywhere, have low limits; the address
    over every account a much higher one, so many people behind one school's or council's
    address, or someone guessing at other accounts from it, never lock out a real user.
    """
    attempt = throttle.try_acquire(
        session,
        [
            (
                "login-account-address",
                _account_and_address(email, address),
                policy.max_failures_per_account_and_address,
            ),
            ("login-account", normalise_email(email)[:254], policy.max_failures_per_account),
            ("login-address", address[:254], policy.max_failures_per_address),
        ],
        policy.failure_window,
        now,
    )
    throttle.sweep(session, now)
    return attempt


def check_credentials(
    session: Session, email: str, password: str, attempt: Sequence[int], link: LinkBuilder,
    confirmation_lifetime: timedelta, now: datetime, address: str = "",
) -> SignIn:  # fmt: skip
    """Check an email and password after `note_attempt`; a success forgets the account's failures.

    Failures from other addresses on this account stay counted against those addresses.
    """
    user = user_by_email(session, email)
    if user is None:
        passwords.check_nothing(password)
        return SignIn(problem="invalid")
    if not passwords.check_password(user.password_hash, password) or not user.active:
        return SignIn(problem="invalid")
    throttle.forget(
        session,
        attempt,
        [
            ("login-account", normalise_email(email)[:254]),
            ("login-account-address", _account_and_address(email, address)),
        ],
    )
    if user.email_confirmed_at is None:
        # A new link, and the one already sent keeps working: it may be in the inbox unread.
        _send_confirmation(session, user, link, confirmation_lifetime, now, keep_earlier=True)
        return SignIn(problem="unconfirmed")
    return SignIn(user=user)


def start_session(
    session: Session, user: User, address: str | None, now: datetime, second_factor: bool = False
) -> str:
    """Open a server-side session for `user`; return the raw token the cookie will carry."""
    raw = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_token(raw),
            created_at=now,
            last_seen_at=now,
            second_factor_at=now if second_factor else None,
            address=(address or "")[:45] or None,
        )
    )
    session.flush()
    return raw


def load_session(
    session: Session, user_id: int, raw: str, policy: SessionPolicy, now: datetime
) -> tuple[User, UserSession] | None:
    """Return the user and session for a cookie's token if it is live; note the activity."""
    record = session.exec(
        select(UserSession).where(UserSession.token_hash == hash_token(raw))
    ).first()
    if record is None or record.user_id != user_id or record.ended_at is not None:
        return None
    if (
        _aware(record.created_at) + policy.absolute <= now
        or _aware(record.last_seen_at) + policy.idle <= now
    ):
        record.ended_at = now
        session.add(record)
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    # Write at most once a minute: idle time is measured in minutes.
    if now - _aware(record.last_seen_at) >= timedelta(minutes=1):
        record.last_seen_at = now
        session.add(record)
    return user, record


def end_session(session: Session, raw: str, now: datetime) -> None:
    """End the session a cookie's token names, so a copy of the cookie stops working."""
    session.exec(
        update(UserSession)
        .where(col(UserSession.token_hash) == hash_token(raw), col(UserSession.ended_at).is_(None))
        .values(ended_at=now)
    )


def end_all_sessions(session: Session, user_id: int, now: datetime) -> None:
    """End every session of a user (password change or reset, deactivation)."""
    session.exec(
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.ended_at).is_(None))
        .values(ended_at=now)
    )


# --- passwords ----------------------------------------------------------------------------


def _set_password(session: Session, user: User, password: str, now: datetime) -> None:
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    session.add(user)
    assert user.id is not None
    end_all_sessions(session, user.id, now)


def change_password(
    session: Session, user: User, current: str, new: str, confirm: str, now: datetime
) -> None:
    """Change a signed-in user's password; every session of theirs ends."""
    if not passwords.check_password(user.password_hash, current):
        raise InvalidInput("current", "Your current password is not correct")
    check_new_password(user.email, user.name, new, confirm)
    _set_password(session, user, new, now)


def request_password_reset(
    session: Session,
    email: str,
    address: str,
    link: LinkBuilder,
    lifetime: timedelta,
    now: datetime,
) -> None:
    """Email a reset link if the address has an active account; say nothing either way."""
    email = normalise_email(email)
    allowed = throttle.try_acquire(
        session,
        [("reset-account", email[:254], 3), ("reset-address", address[:254], 20)],
        timedelta(hours=1),
        now,
    )
    user = user_by_email(session, email)
    if allowed is None or user is None or not user.active:
        return
    raw = issue_token(session, user, "reset", lifetime, now)
    mail.queue_template(
        session, user.email, "Reset your password", "password_reset.txt",
        name=user.name, link=link(raw), expires=now + lifetime,
    )  # fmt: skip


def reset_password(session: Session, raw: str, password: str, confirm: str, now: datetime) -> User:
    """Set a new password from an emailed reset link (single use); every session ends."""
    return _password_from_link(session, "reset", raw, password, confirm, now)


def _password_from_link(
    session: Session, purpose: str, raw: str, password: str, confirm: str, now: datetime
) -> User:
    """Check the new password, then use up the emailed link and set it (the link proves the
    address, so it is confirmed too). A refused password leaves the link usable."""
    user = peek_token(session, raw, purpose, now)
    check_new_password(user.email, user.name, password, confirm)
    user = consume_token(session, raw, purpose, now)
    _set_password(session, user, password, now)
    user.email_confirmed_at = user.email_confirmed_at or now
    return user


# --- invitations --------------------------------------------------------------------------


def _school_by_urn(session: Session, field: str, urn: str) -> School:
    school = session.exec(select(School).where(School.urn == urn.strip())).first()
    if school is None:
        raise InvalidInput(field, f"No school has the URN {urn.strip()!r}")
    return school


def invite(
    session: Session,
    inviter: User,
    *,
    email: str,
    name: str,
    role: str,
    school_urns: Sequence[str] = (),
    la_code: str = "",
    link: LinkBuilder,
    lifetime: timedelta,
    now: datetime,
) -> User:
    """Invite a headteacher, SIP or QA officer; email them a link to set their password.

    Admins may invite for any school or LA; a QA officer only for their own LA's schools.
    """
    if inviter.role not in ("admin", "qa_officer"):
        raise Forbidden("Only administrators and QA officers can invite people.")
    if role not in INVITED_ROLES:
        raise InvalidInput("role", "Select a role")
    email = check_email("email", email)
    if not name.strip():
        raise InvalidInput("name", "Enter the person's name")
    school_id: int | None = None
    la_id: int | None = None
    schools: list[School] = []
    if role in ("headteacher", "sip"):
        urns = [u for u in school_urns if u.strip()]
        if not urns or (role == "headteacher" and len(urns) != 1):
            message = (
                "Enter the school's URN" if role == "headteacher" else "Enter at least one URN"
            )
            raise InvalidInput("schools", message)
        schools = [_school_by_urn(session, "schools", urn) for urn in urns]
        if inviter.role == "qa_officer" and any(s.la_id != inviter.la_id for s in schools):
            raise InvalidInput(
                "schools", "You can only invite people for schools in your local authority"
            )
        if role == "headteacher":
            school_id = schools[0].id
    else:
        if inviter.role == "qa_officer":
            la_id = inviter.la_id
        else:
            la = session.exec(
                select(LocalAuthority).where(LocalAuthority.code == la_code.strip())
            ).first()
            if la is None:
                raise InvalidInput("la_code", "Enter the code of an existing local authority")
            la_id = la.id
    existing = user_by_email(session, email)
    if existing is not None and (existing.password_hash is not None or existing.role != role):
        raise InvalidInput("email", "Someone with this email address already has an account")
    user = existing or User(email=email, name=name.strip(), role=role, created_at=now)
    user.name, user.school_id, user.la_id = name.strip(), school_id, la_id
    session.add(user)
    session.flush()
    if role == "sip":
        session.exec(sa.delete(SipAssignment).where(col(SipAssignment.user_id) == user.id))
        for school in {s.id: s for s in schools}.values():
            assert user.id is not None and school.id is not None
            session.add(SipAssignment(user_id=user.id, school_id=school.id, created_at=now))
    raw = issue_token(session, user, "invite", lifetime, now, created_by=inviter)
    mail.queue_template(
        session, email, f"You are invited to the {_service()}", "invitation.txt",
        name=user.name, inviter=inviter.name, role=taxonomy.ROLES.label_of(role),
        schools=schools, link=link(raw), expires=now + lifetime,
    )  # fmt: skip
    session.flush()
    return user


def _service() -> str:
    return "School Improvement e-Directory"


def accept_invitation(
    session: Session, raw: str, password: str, confirm: str, now: datetime
) -> User:
    """Set the invitee's password from their emailed link (single use)."""
    return _password_from_link(session, "invite", raw, password, confirm, now)


# --- second factor ------------------------------------------------------------------------


def begin_enrolment(session: Session, user: User) -> str:
    """Return the TOTP secret to show for enrolment, creating it on first use."""
    if user.totp_enrolled_at is not None:
        raise InvalidInput("code", "Two-factor authentication is already set up")
    if not user.totp_secret:
        user.totp_secret = totp.generate_secret()
        session.add(user)
        session.flush()
    return user.totp_secret


def _new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    assert user.id is not None
    session.exec(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(raw), created_at=now))
    return codes


def confirm_enrolment(session: Session, user: User, code: str, now: datetime) -> list[str]:
    """Finish enrolment with a first code from the app; return recovery codes (shown once)."""
    if user.totp_enrolled_at is not None or not user.totp_secret:
        raise InvalidInput("code", "Start setting up two-factor authentication again")
    counter = totp.verify(user.totp_secret, code, at=now.timestamp())
    if counter is None:
        raise InvalidInput(
            "code", "The code is not correct: enter the 6-digit code your app shows now"
        )
    user.totp_enrolled_at = now
    user.totp_last_counter = counter
    session.add(user)
    return _new_recovery_codes(session, user, now)


def check_second_factor(
    session: Session, user: User, code: str, policy: SessionPolicy, now: datetime
) -> str:
    """Check a TOTP or recovery code; return "totp" or "recovery", or raise InvalidInput.

    Failures count against the account like failed sign-ins.
    """
    key = f"user:{user.id}"
    attempt = throttle.try_acquire(
        session,
        # The tightest sign-in limit: a code has only a million values.
        [("second-factor", key, policy.max_failures_per_account_and_address)],
        policy.failure_window,
        now,
    )
    if attempt is None:
        raise InvalidInput("code", "Too many wrong codes. Wait 15 minutes and try again.")
    if not user.totp_secret or user.totp_enrolled_at is None:
        raise InvalidInput("code", "Set up two-factor authentication first")
    counter = totp.verify(user.totp_secret, code, at=now.timestamp(), after=user.totp_last_counter)
    if counter is not None:
        user.totp_last_counter = counter
        session.add(user)
        throttle.clear(session, "second-factor", key)
        return "totp"
    cleaned = re.sub(r"[\s-]", "", code).lower()
    if len(cleaned) == 10:
        used = session.exec(
            update(RecoveryCode)
            .where(
                col(RecoveryCode.user_id) == user.id,
                col(RecoveryCode.code_hash) == hash_token(cleaned),
                col(RecoveryCode.used_at).is_(None),
            )
            .values(used_at=now)
        ).rowcount
        if used == 1:
            throttle.clear(session, "second-factor", key)
            return "recovery"
    raise InvalidInput("code", "The code is not correct")


def recovery_codes_left(session: Session, user: User) -> int:
    """Return how many unused recovery codes the user has."""
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


# --- what a user may see ------------------------------------------------------------------


def can_see_school(session: Session, user: User, school_id: int) -> bool:
    """Say whether the user may see a school's private records (needs, category, brokerage)."""
    if not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role in caseload.SCHOOL_ROLES:
        return caseload.speaks_for_school(session, user, school_id)
    if user.role == "sip":
        return caseload.is_assigned_sip(session, user, school_id)
    if user.role == "qa_officer":
        school = session.get(School, school_id)
        return school is not None and user.la_id is not None and school.la_id == user.la_id
    return False


def visible_school_ids(session: Session, user: User) -> set[int] | None:
    """Return the ids of the schools a user may see privately; None means every school (admin)."""
    if user.role == "admin":
        return None
    if user.role in caseload.SCHOOL_ROLES:
        speaks = caseload.speaks_for_school(session, user, user.school_id)
        return {user.school_id} if speaks and user.school_id else set()
    if user.role == "sip":
        return set(
            session.exec(
                select(SipAssignment.school_id).where(SipAssignment.user_id == user.id)
            ).all()
        )
    if user.role == "qa_officer" and user.la_id is not None:
        return set(session.exec(select(School.id).where(School.la_id == user.la_id)).all())  # type: ignore[arg-type]
    return set()


def create_admin(
    session: Session,
    *,
    email: str,
    name: str,
    link: LinkBuilder,
    lifetime: timedelta,
    now: datetime,
) -> tuple[User, str]:
    """Create the first administrator (no one can invite yet); return them and their set-up link."""
    email = check_email("email", email)
    if not name.strip():
        raise InvalidInput("name", "Enter the administrator's name")
    if user_by_email(session, email) is not None:
        raise InvalidInput("email", "Someone with this email address already has an account")
    user = User(email=email, name=name.strip(), role="admin", created_at=now)
    session.add(user)
    session.flush()
    raw = issue_token(session, user, "invite", lifetime, now)
    url = link(raw)
    mail.queue_template(
        session, email, f"You are invited to the {_service()}", "invitation.txt",
        name=user.name, inviter="The service operator", role=taxonomy.ROLES.label_of("admin"),
        schools=[], link=url, expires=now + lifetime,
    )  # fmt: skip
    return user, url
