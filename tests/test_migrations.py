"""The migrations are the schema: they run on an empty database of each kind and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlmodel import SQLModel

from broker import db
from broker.migrate import include_object


def test_migrated_database_matches_the_models(any_app: Flask) -> None:
    engine = db.get_engine(any_app)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
