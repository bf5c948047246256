"""Offline drafts (issue 14): the idempotency keys of visit notes and priorities typed offline
and saved on upload, so a retried upload never saves a draft twice.

Revision ID: 0015_offline_drafts
Revises: 0014_support_plan
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015_offline_drafts'
down_revision = '0014_support_plan'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'offline_draft',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('saved_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['school.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('offline_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_draft_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('offline_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_draft_user_id'))
    op.drop_table('offline_draft')
