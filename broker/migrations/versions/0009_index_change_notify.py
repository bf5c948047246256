"""Tell every listening server of new change-log entries: NOTIFY broker_index on PostgreSQL.

A statement-level trigger on `index_change` sends `pg_notify('broker_index', <highest seq the
statement wrote>)`. PostgreSQL delivers it when (and only if) the transaction commits, so a
listener never hears of a change it cannot yet read; a bulk import that logs thousands of
listings in one statement sends one notification, not thousands. Being a trigger, it covers
every writer (requests, commands, imports, SQL by hand). SQLite has no LISTEN: its servers
share one machine and follow the log before every search, as before.

Also an index on `listing.assurance_expires_at`: every sync of an index first lapses assurances
that ran out, and at 100,000 listings finding those few by scanning the table took 120 ms of
every sync (so of every notification, on every machine).

Revision ID: 0009_index_change_notify
Revises: 0008_publishing_rule
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009_index_change_notify'
down_revision = '0008_publishing_rule'
branch_labels = None
depends_on = None

#: The channel the application listens on (broker/search/listener.py: CHANNEL).
CHANNEL = 'broker_index'

_PG_FUNCTION = f"""
CREATE FUNCTION index_change_notify() RETURNS trigger AS $$
DECLARE
  top bigint;
BEGIN
  SELECT max(seq) INTO top FROM new_changes;
  IF top IS NOT NULL THEN
    PERFORM pg_notify('{CHANNEL}', top::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

_PG_TRIGGER = """
CREATE TRIGGER index_change_notify
AFTER INSERT ON index_change
REFERENCING NEW TABLE AS new_changes
FOR EACH STATEMENT EXECUTE FUNCTION index_change_notify()
"""


def upgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_listing_assurance_expires_at'), ['assurance_expires_at'], unique=False
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)


def downgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_assurance_expires_at'))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS index_change_notify ON index_change')
        op.execute('DROP FUNCTION IF EXISTS index_change_notify()')
