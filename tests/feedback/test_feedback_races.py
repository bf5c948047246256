"""Races on SQLite and PostgreSQL: two feedbacks from one person, or two replies, at the same
moment. Threads with their own sessions; one is paused right after its write, before it
commits, while the other tries the same. Exactly one lands; the other is refused clearly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlmodel import Session, select

from broker import db
from broker.errors import BrokerError
from broker.feedback import services as feedback
from broker.models import Brokerage, Feedback, User
from tests.feedback.world import build


def _run(
    app: Flask, name: str, work: Callable[[Session], Any], errors: list[BaseException]
) -> threading.Thread:
    def target() -> None:
        with app.app_context(), db.new_session(app) as session:
            try:
                work(session)
                session.commit()
            except BrokerError as exc:  # a refusal is a fine outcome; anything else fails the test
                session.rollback()
                errors.append(exc)

    return threading.Thread(target=target, name=name)


@contextmanager
def _paused_after(app: Flask, thread: str, fragment: str) -> Iterator[tuple[Any, Any]]:
    """Pause `thread` after its first statement containing `fragment` until `resumed` is set."""
    reached, resumed = threading.Event(), threading.Event()

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if (
            threading.current_thread().name == thread
            and fragment in statement
            and not reached.is_set()
        ):
            reached.set()
            resumed.wait(5)

    engine = db.get_engine(app)
    event.listen(engine, "after_cursor_execute", listener)
    try:
        yield reached, resumed
    finally:
        event.remove(engine, "after_cursor_execute", listener)


def _race(app: Flask, fragment: str, work: Callable[[Session], Any]) -> list[BaseException]:
    errors: list[BaseException] = []
    with _paused_after(app, "first", fragment) as (reached, resumed):
        first = _run(app, "first", work, errors)
        first.start()
        assert reached.wait(10), "the first never wrote"
        second = _run(app, "second", work, errors)
        second.start()
        time.sleep(0.5)  # the second runs as far as the database lets it
        resumed.set()
        first.join(30)
        second.join(30)
    assert not first.is_alive() and not second.is_alive()
    return errors


def test_two_feedbacks_at_once_from_one_person_make_one(
    any_app: Flask, any_session: Session
) -> None:
    fw = build(any_session)
    head_id, brokerage_id = fw.world.head.id, fw.done.id

    def give(session: Session) -> None:
        head, row = session.get(User, head_id), session.get(Brokerage, brokerage_id)
        assert head is not None and row is not None
        feedback.give(session, head, row, text="Good work", would_use_again="yes")

    errors = _race(any_app, "INSERT INTO feedback", give)
    assert [str(e) for e in errors] == [feedback.ALREADY_GIVEN]
    any_session.expire_all()
    assert len(any_session.exec(select(Feedback)).all()) == 1


def test_two_replies_at_once_leave_one(any_app: Flask, any_session: Session) -> None:
    fw = build(any_session)
    row = feedback.give(
        any_session, fw.world.head, fw.done, text="Good work", would_use_again="yes"
    )
    any_session.commit()
    provider_id, feedback_id = fw.world.provider.id, int(row.id or 0)
    replies = iter(["First reply", "Second reply"])
    lock = threading.Lock()

    def reply(session: Session) -> None:
        with lock:
            words = next(replies)
        provider = session.get(User, provider_id)
        assert provider is not None
        feedback.reply(session, provider, feedback_id, words)

    errors = _race(any_app, "UPDATE feedback", reply)
    assert [str(e) for e in errors] == [feedback.ALREADY_REPLIED]
    any_session.expire_all()
    saved = any_session.get(Feedback, feedback_id)
    assert saved is not None and saved.reply == "First reply"
