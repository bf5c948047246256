"""How the app's connections are set up, on each database."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from broker import db


def test_postgresql_connections_compile_no_query_and_sqlite_keeps_its_pragmas(
    any_app: Flask,
) -> None:
    engine = db.get_engine(any_app)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # JIT compiling a short query cost more than running it (broker.db.make_engine).
            assert connection.execute(sa.text("SHOW jit")).scalar_one() == "off"
        else:
            assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"
