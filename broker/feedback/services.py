"""Rules of professional feedback: who may write it and when, who may read it, the one reply.

- Writing: once the work is complete (brokerage completed or evaluated), the school's head or
  a leader the head authorised (broker.caseload.speaks_for_school) and the school's assigned SIP,
  once each per brokerage (a unique constraint holds even when two requests race). Feedback is
  final once given: the provider is told at once, and must be able to reply to exactly what it
  read; a mistake is put right with the LA, not by quietly rewriting.
- Reading (`can_read`): its author, the provider's own users, and the QA officers who assure the
  listing (broker.assurance.services.qa_scope: admins all). Nobody else, whatever their role.
- Replying: a user of the provider, once; the reply is set by an update conditional on there
  being none, so a second reply, even at the same moment, changes nothing and is refused.

Every feedback and reply is in the audit trail (under the provider, where QA officers read it),
and the provider is notified of feedback, the author of the reply (broker.mail.notifications).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from broker import audit, caseload, db, taxonomy
from broker.assurance.services import qa_scope
from broker.errors import Conflict, Forbidden, InvalidInput, NotFound
from broker.mail import notifications
from broker.models import Brokerage, Feedback, Listing, Provider, School, User, utcnow

TEXT_MAX = 2000
REPLY_MAX = 2000
#: The states in which the work is complete and feedback may be left.
COMPLETE = ("completed", "evaluated")
#: Who may write feedback (each still checked against the school).
WRITER_ROLES = (*caseload.SCHOOL_ROLES, "sip")
ALREADY_GIVEN = (
    "You have already left feedback on this support. Feedback cannot be changed once it is given"
)
ALREADY_REPLIED = "You have already replied to this feedback. A provider can reply only once"
#: "yes"/"no" from the form -> the stored answer.
ANSWERS = {"yes": True, "no": False}


@dataclass(frozen=True)
class FeedbackView:
    """A feedback with what a reader needs beside it."""

    feedback: Feedback
    author: User
    school: School
    listing: Listing
    provider: Provider

    @property
    def author_label(self) -> str:
        """Say who wrote it: "Jo Smith, Headteacher"."""
        return f"{self.author.name}, {taxonomy.ROLES.label_of(self.feedback.author_role)}"

    @property
    def replied(self) -> bool:
        return self.feedback.replied_at is not None


# --- who may do what ---------------------------------------------------------------------------


def _is_writer(session: Session, user: User, brokerage: Brokerage) -> bool:
    return caseload.speaks_for_school(
        session, user, brokerage.school_id
    ) or caseload.is_assigned_sip(session, user, brokerage.school_id)


def check_writer(session: Session, user: User, brokerage: Brokerage) -> None:
    """Raise Forbidden unless the user may leave feedback on this brokerage, Conflict before the
    work is complete."""
    if not _is_writer(session, user, brokerage):
        raise Forbidden(
            "Only the school's headteacher, a leader they authorised, or the school's SIP "
            "can leave feedback on this support."
        )
    if brokerage.state not in COMPLETE:
        state = taxonomy.BROKERAGE_STATES.label_of(brokerage.state).lower()
        raise Conflict(f"Feedback can be left once the work is complete. This support is {state}.")


def may_write(session: Session, user: User, brokerage: Brokerage) -> bool:
    """Say whether the user may leave feedback now (complete work, theirs to judge, none yet)."""
    return (
        brokerage.state in COMPLETE
        and _is_writer(session, user, brokerage)
        and own_feedback(session, user, int(brokerage.id or 0)) is None
    )


def _assures(session: Session, user: User, listing_id: int) -> bool:
    """Say whether the user is a QA officer (or admin) who assures this listing."""
    if user.role not in ("qa_officer", "admin") or not user.active:
        return False
    scope = qa_scope(session, user)
    if scope is None:
        return True
    found = session.exec(
        select(Listing.id)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(Listing.id == listing_id, scope)
    ).first()
    return found is not None


def can_read(session: Session, user: User, feedback: Feedback) -> bool:
    """Say whether the user may read the feedback: its author, its provider, its QA officers."""
    if user.id is not None and user.id == feedback.author_id:
        return True
    if user.role == "provider" and user.active and user.provider_id == feedback.provider_id:
        return True
    return _assures(session, user, feedback.listing_id)


# --- reading -----------------------------------------------------------------------------------


def _views(session: Session, *conditions: sa.ColumnElement[bool]) -> list[FeedbackView]:
    # Five entities: more than sqlmodel's select is typed for, so SQLAlchemy's own.
    rows = session.execute(
        sa.select(Feedback, User, School, Listing, Provider)
        .join(User, col(User.id) == col(Feedback.author_id))
        .join(School, col(School.id) == col(Feedback.school_id))
        .join(Listing, col(Listing.id) == col(Feedback.listing_id))
        .join(Provider, col(Provider.id) == col(Feedback.provider_id))
        .where(*conditions)
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
    )
    return [FeedbackView(*row) for row in rows]


def own_feedback(session: Session, user: User, brokerage_id: int) -> FeedbackView | None:
    """Return the user's own feedback on the brokerage, if they left any."""
    if user.id is None:
        return None
    found = _views(
        session, col(Feedback.brokerage_id) == brokerage_id, col(Feedback.author_id) == user.id
    )
    return found[0] if found else None


def for_listing(session: Session, user: User, listing_id: int) -> list[FeedbackView]:
    """Return all feedback on a listing, newest first, for a QA officer who assures it (else [])."""
    if not _assures(session, user, listing_id):
        return []
    return _views(session, col(Feedback.listing_id) == listing_id)


def for_provider(session: Session, user: User) -> list[FeedbackView]:
    """Return the feedback on the provider's listings: awaiting a reply first, then newest first."""
    if user.role != "provider" or user.provider_id is None:
        raise Forbidden("Only a provider's own users see the feedback on its work.")
    found = _views(session, col(Feedback.provider_id) == user.provider_id)
    return sorted(found, key=lambda v: v.replied)


def to_reply(session: Session, user: User, feedback_id: int) -> FeedbackView:
    """Return feedback on the user's provider's work, or NotFound (another's is not said to exist)."""
    if user.role != "provider" or user.provider_id is None:
        raise Forbidden("Only the provider can reply to feedback on its work.")
    found = _views(
        session,
        col(Feedback.id) == feedback_id,
        col(Feedback.provider_id) == user.provider_id,
    )
    if not found:
        raise NotFound("There is no such feedback on your work.")
    return found[0]


# --- writing -----------------------------------------------------------------------------------


def _words(text: str | None, field: str, what: str, limit: int) -> str:
    words = (text or "").strip()
    if not words:
        raise InvalidInput(field, f"Enter {what}")
    if len(words) > limit:
        raise InvalidInput(
            field, f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer"
        )
    return words


def give(
    session: Session,
    user: User,
    brokerage: Brokerage,
    *,
    text: str | None,
    would_use_again: str | None,
    emails: bool = True,
) -> Feedback:
    """Leave the user's feedback on completed brokered work; audited; the provider told.

    Raises Forbidden (not theirs to judge), Conflict (the work is not complete), InvalidInput
    (text missing or too long, no answer to "would you use them again", feedback already given).
    """
    check_writer(session, user, brokerage)
    words = _words(text, "text", "your feedback", TEXT_MAX)
    answer = ANSWERS.get((would_use_again or "").strip())
    if answer is None:
        raise InvalidInput("would_use_again", "Select whether you would use this provider again")
    # SQLite: one writer from here, so a racing second feedback sees the first. PostgreSQL:
    # the unique constraint refuses it (below).
    db.begin_transaction(session, lock_for_writing=True)
    if own_feedback(session, user, int(brokerage.id or 0)) is not None:
        raise InvalidInput("text", ALREADY_GIVEN)
    row = Feedback(
        brokerage_id=int(brokerage.id or 0),
        listing_id=brokerage.listing_id,
        provider_id=brokerage.provider_id,
        school_id=brokerage.school_id,
        author_id=int(user.id or 0),
        author_role=user.role,
        text=words,
        would_use_again=answer,
    )
    try:
        # A savepoint: a second request that got here at the same moment fails on the unique
        # constraint without losing the rest of the caller's transaction.
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise InvalidInput("text", ALREADY_GIVEN) from None
    school = caseload.get_school(session, brokerage.school_id)
    listing = session.get(Listing, brokerage.listing_id)
    title = listing.title if listing else "the support"
    audit.record(
        session,
        user,
        entity_type="feedback",
        entity_id=int(row.id or 0),
        provider_id=brokerage.provider_id,
        action="feedback-given",
        reason=f"On {title} for {school.name} (brokerage {brokerage.id}); "
        f"would use again: {'yes' if answer else 'no'}",
        on_behalf_of=caseload.on_behalf_of(session, user),
    )
    _tell_provider(session, user, row, school, title, emails)
    return row


def reply(
    session: Session, user: User, feedback_id: int, text: str | None, emails: bool = True
) -> Feedback:
    """Record the provider's one reply to feedback on its work; audited; the author told.

    Raises NotFound (not this provider's), InvalidInput (reply missing or too long, or already
    replied: checked by the update itself, so two replies at once cannot both land).
    """
    view = to_reply(session, user, feedback_id)
    words = _words(text, "reply", "your reply", REPLY_MAX)
    db.begin_transaction(session, lock_for_writing=True)
    if view.replied:
        raise InvalidInput("reply", ALREADY_REPLIED)
    now = utcnow()
    done = session.execute(
        sa.update(Feedback)
        .where(col(Feedback.id) == feedback_id, col(Feedback.replied_at).is_(None))
        .values(reply=words, replied_at=now, replied_by_id=user.id)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise InvalidInput("reply", ALREADY_REPLIED)
    row = view.feedback
    session.refresh(row)
    audit.record(
        session,
        user,
        entity_type="feedback",
        entity_id=feedback_id,
        provider_id=row.provider_id,
        action="feedback-replied",
        reason=f"To feedback from {view.author_label} on {view.listing.title} "
        f"for {view.school.name}",
    )
    _tell_author(session, view, emails)
    return row


# --- telling -------------------------------------------------------------------------------------


def _provider_users(session: Session, provider_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(User.role == "provider", User.provider_id == provider_id, col(User.active))
            .order_by(col(User.id))
        ).all()
    )


def _tell_provider(
    session: Session, author: User, row: Feedback, school: School, title: str, emails: bool
) -> None:
    """Tell the provider's users that feedback arrived (not what it says: read it in the service)."""
    role = taxonomy.ROLES.label_of(author.role)
    subject = f"Feedback from {school.name} on {title}"
    body = (
        "Hello,\n\n"
        f"{author.name} ({role}, {school.name}) left feedback on your work for the school: "
        f"{title}.\n\n"
        "Only you, the local authority's quality assurance officers and its author can read "
        "it; it is never shown to the public. You may reply once, and your reply is shown "
        "with it."
    )
    path = notifications.path_for(
        "feedback.reply", f"/provider/feedback/{row.id}/reply", feedback_id=row.id
    )
    notifications.tell(
        session,
        _provider_users(session, row.provider_id),
        "feedback-received",
        subject,
        body,
        path,
        emails,
    )


def _tell_author(session: Session, view: FeedbackView, emails: bool) -> None:
    """Tell the author that the provider replied."""
    subject = f"{view.provider.name} replied to your feedback on {view.listing.title}"
    body = (
        "Hello,\n\n"
        f"{view.provider.name} replied to your feedback on {view.listing.title} for "
        f"{view.school.name}. Read the reply beside your feedback in the service."
    )
    path = notifications.path_for(
        "brokerage.detail",
        f"/brokerage/{view.feedback.brokerage_id}",
        brokerage_id=view.feedback.brokerage_id,
    )
    notifications.tell(session, [view.author], "feedback-reply", subject, body, path, emails)
