"""The people's daily work: a visit's agreed next visit; notifications and email choices.

Revision ID: 0012_daily_work
Revises: 0011_saved_searches
Create Date: 2026-12-02 18:40:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012_daily_work'
down_revision = '0011_saved_searches'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An added nullable column: SQLite's batch mode adds it in place (no table rebuild).
    with op.batch_alter_table('school_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_visit_on', sa.Date(), nullable=True))

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('notification_setting',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'kind')
    )


def downgrade() -> None:
    op.drop_table('notification_setting')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_created')
    op.drop_table('notification')
    with op.batch_alter_table('school_visit', schema=None) as batch_op:
        batch_op.drop_column('next_visit_on')
