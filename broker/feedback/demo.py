"""Demo feedback: the demo heads' word on the demo work they evaluated (after the demo visits)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from broker.feedback import services
from broker.models import Brokerage, Feedback, User

#: What a demo head says, by the impact they recorded (1-4).
WORDS = {
    4: "Well prepared and practical: staff used the ideas the next week. Reports came on time.",
    3: "Useful, though the first session was pitched too generally for our school.",
}


def seed_demo_feedback(session: Session) -> int:
    """Add each demo head's feedback on their evaluated brokerages that have none; return how many.

    Told in the service only (no email), as the rest of the demo data.
    """
    added = 0
    rows = session.exec(
        select(Brokerage)
        .where(Brokerage.state == "evaluated", col(Brokerage.impact_rating).in_(sorted(WORDS)))
        .order_by(col(Brokerage.id))
    ).all()
    for row in rows:
        head = session.exec(
            select(User).where(
                User.school_id == row.school_id, User.role == "headteacher", col(User.active)
            )
        ).first()
        if head is None:
            continue
        given = session.exec(
            select(Feedback.id).where(
                Feedback.brokerage_id == row.id, Feedback.author_id == head.id
            )
        ).first()
        if given is not None:
            continue
        services.give(
            session,
            head,
            row,
            text=WORDS[int(row.impact_rating or 0)],
            would_use_again="yes",
            emails=False,
        )
        added += 1
    return added
