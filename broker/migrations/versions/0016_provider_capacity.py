"""Provider capacity (issue 16): the days a provider has available this term, the date from
which it takes new work again, and when it last said so.

Revision ID: 0016_provider_capacity
Revises: 0015_offline_drafts
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0016_provider_capacity'
down_revision = '0015_offline_drafts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('not_taking_until', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('capacity_updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('capacity_updated_at')
        batch_op.drop_column('not_taking_until')
        batch_op.drop_column('capacity_days')
