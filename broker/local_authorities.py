"""Looking up local authorities: one place for the lookup every LA-scoped feature needs."""

from __future__ import annotations

from sqlmodel import Session, col, select

from broker.errors import NotFound
from broker.models import LocalAuthority

#: LA codes are short (DfE codes are three digits); anything longer cannot exist.
CODE_CHARS = 10


def find(session: Session, code: str) -> LocalAuthority:
    """Return the LA with this code; raise NotFound with a clear message otherwise."""
    code = code.strip()
    la = None
    if code and len(code) <= CODE_CHARS:
        la = session.exec(select(LocalAuthority).where(LocalAuthority.code == code)).first()
    if la is None:
        shown = code[:CODE_CHARS] + ("…" if len(code) > CODE_CHARS else "")
        raise NotFound(f"There is no local authority with the code “{shown}”.")
    return la


def every(session: Session) -> list[LocalAuthority]:
    """Return every LA, by name."""
    return list(session.exec(select(LocalAuthority).order_by(col(LocalAuthority.name))).all())
