"""The people's daily work: a visit's agreed next visit.

Revision ID: 0010_daily_work
Revises: 0009_index_change_notify
Create Date: 2026-12-02 18:40:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0010_daily_work'
down_revision = '0009_index_change_notify'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An added nullable column: SQLite's batch mode adds it in place (no table rebuild).
    with op.batch_alter_table('school_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_visit_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('school_visit', schema=None) as batch_op:
        batch_op.drop_column('next_visit_on')
