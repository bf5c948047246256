"""Brokered work that is complete, for the feedback tests: the schools world plus a leader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from broker.brokerage import services as brokerage
from broker.models import Brokerage, Provider, User
from broker.schools import leaders
from tests.schools import world as w


@dataclass
class FeedbackWorld:
    world: w.World
    #: Complete work of the world's provider for the world's school.
    done: Brokerage
    #: The school's deputy, authorised by the head.
    leader: User


def build(session: Session, state: str = "completed") -> FeedbackWorld:
    """Build the schools world; bring one brokerage to `state`; authorise a leader; commit.

    The provider is based in the world's LA, so its QA officer assures its listings (far_qa
    does not).
    """
    world = w.build(session)
    provider = session.get(Provider, world.listing.provider_id)
    assert provider is not None
    provider.la_id = world.la.id
    session.add(provider)
    session.commit()
    _, (priority,) = w.visit(session, world)
    row = w.shortlisted(session, world, priority)
    steps = [("agreed", world.head), ("engaged", world.sip), ("completed", world.sip)]
    for to, who in steps[: ["suggested", "agreed", "engaged", "completed"].index(state)]:
        brokerage.move(session, who, row, to, emails=False)
    session.commit()
    leader = w.make_user(session, "school_leader", name="Dee Puty", school_id=world.school.id)
    leaders.authorise(
        session,
        world.head,
        world.school,
        email=leader.email,
        name=leader.name,
        title="Deputy headteacher",
        link=lambda token: token,
        lifetime=timedelta(days=7),
    )
    session.commit()
    return FeedbackWorld(world, row, leader)
