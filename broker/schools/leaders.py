"""Authorised leaders: a head lets named leaders of the school (a deputy, the business manager)
recommend providers and agree brokered support on the school's behalf, and withdraws that.

A leader is a user account with role "school_leader" and the school's id; what they may do is
decided by broker.caseload.speaks_for_school (an authority not withdrawn). A leader without an
account is invited, as QA officers invite heads: an emailed single-use link to set a password.
What a leader does is recorded as theirs, "on behalf of" the school (broker.audit). The
two-school rule is untouched: a recommendation belongs to the school, one per provider, whoever
of its head and leaders made it (a second replaces the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from broker import audit, caseload, mail, taxonomy
from broker.auth import services as accounts
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.models import School, SchoolAuthority, User, utcnow

LEADER = "school_leader"
TITLE_MAX = 100
NAME_MAX = 200


@dataclass(frozen=True)
class Leader:
    authority: SchoolAuthority
    user: User
    #: Still waiting for them to accept the emailed invitation (no password yet).
    invited: bool


def _require_head(user: User, school: School) -> None:
    if user.role != "headteacher" or not user.active or user.school_id != school.id:
        raise Forbidden("Only the school's headteacher can authorise leaders to act for it.")


def leaders(session: Session, head: User, school: School) -> list[Leader]:
    """Return the school's leaders whose authority is current, by name."""
    _require_head(head, school)
    rows = session.exec(
        select(SchoolAuthority, User)
        .join(User, col(User.id) == col(SchoolAuthority.user_id))
        .where(SchoolAuthority.school_id == school.id, col(SchoolAuthority.withdrawn_at).is_(None))
        .order_by(col(User.name), col(SchoolAuthority.id))
    ).all()
    return [Leader(a, u, u.password_hash is None) for a, u in rows]


def authorise(
    session: Session,
    head: User,
    school: School,
    *,
    email: str,
    name: str,
    title: str,
    link: accounts.LinkBuilder,
    lifetime: timedelta,
    now: datetime | None = None,
) -> SchoolAuthority:
    """Authorise a leader of the school, inviting them if they have no account yet; audited."""
    _require_head(head, school)
    now = now or utcnow()
    address = accounts.check_email("email", email)
    words = " ".join((name or "").split())
    if not words:
        raise InvalidInput("name", "Enter the leader’s name")
    if len(words) > NAME_MAX:
        raise InvalidInput("name", f"The name must be {NAME_MAX} characters or fewer")
    role_title = " ".join((title or "").split())
    if not role_title:
        raise InvalidInput(
            "title", "Enter their role at the school, for example Deputy headteacher"
        )
    if len(role_title) > TITLE_MAX:
        raise InvalidInput("title", f"The role must be {TITLE_MAX} characters or fewer")
    user = accounts.user_by_email(session, address)
    if user is not None and (user.role != LEADER or user.school_id != school.id):
        raise InvalidInput(
            "email",
            "This email address belongs to an account that cannot act for your school "
            f"(a {taxonomy.ROLES.label_of(user.role).lower()} account): use their school address",
        )
    if user is not None and caseload.current_authority(session, user, int(school.id or 0)):
        raise InvalidInput("email", f"{user.name} can already act for your school")
    invite = user is None or user.password_hash is None
    if user is None:
        user = User(email=address, name=words, role=LEADER, school_id=school.id, created_at=now)
        session.add(user)
        session.flush()
    authority = SchoolAuthority(
        school_id=int(school.id or 0),
        user_id=int(user.id or 0),
        title=role_title,
        granted_by_id=head.id,
        granted_at=now,
    )
    audit.record_saved(
        session,
        head,
        authority,
        entity_type="school-authority",
        action="leader-authorised",
        reason=f"{user.name} ({role_title}, {user.email}) may act for {school.name}",
    )
    if invite:
        raw = accounts.issue_token(session, user, "invite", lifetime, now, created_by=head)
        mail.queue_template(
            session, user.email, "You are invited to the School Improvement e-Directory",
            "invitation.txt", name=user.name, inviter=head.name,
            role=taxonomy.ROLES.label_of(LEADER).lower(), schools=[school], link=link(raw),
            expires=now + lifetime,
        )  # fmt: skip
    session.flush()
    return authority


def withdraw(
    session: Session, head: User, school: School, authority_id: int, now: datetime | None = None
) -> SchoolAuthority:
    """Withdraw a leader's authority to act for the school; audited. Their past acts stand."""
    _require_head(head, school)
    authority = session.get(SchoolAuthority, authority_id)
    if authority is None or authority.school_id != school.id or authority.withdrawn_at is not None:
        raise NotFound("That leader cannot act for your school now.")
    leader = session.get(User, authority.user_id)
    authority.withdrawn_at = now or utcnow()
    authority.withdrawn_by_id = head.id
    audit.record_saved(
        session,
        head,
        authority,
        entity_type="school-authority",
        action="leader-authority-withdrawn",
        reason=f"{leader.name if leader else 'A leader'} may no longer act for {school.name}",
    )
    return authority
