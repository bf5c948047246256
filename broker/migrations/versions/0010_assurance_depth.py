"""Assurance in depth (issue 16): which fields an edit changed, in the audit trail; the
register of interests SIPs and QA officers keep, and a SIP's declaration on a shortlisted item.

Revision ID: 0010_assurance_depth
Revises: 0009_index_change_notify
Create Date: 2026-12-02 18:45:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010_assurance_depth'
down_revision = '0009_index_change_notify'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_fields', sa.JSON(), nullable=True))
    with op.batch_alter_table('brokerage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interest_declared', sa.Text(), nullable=True))
    op.create_table(
        'interest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_user_id'))
        batch_op.drop_index(batch_op.f('ix_interest_provider_id'))
    op.drop_table('interest')
    with op.batch_alter_table('brokerage', schema=None) as batch_op:
        batch_op.drop_column('interest_declared')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('changed_fields')
