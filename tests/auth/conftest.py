"""Fixtures for the account tests (helpers live in tests/auth/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.auth.helpers import Inbox, start_smtp


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    controller, inbox = start_smtp()
    yield inbox
    controller.stop()
