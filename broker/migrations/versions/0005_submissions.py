"""Provider submissions: task-list progress, referee schools, pending revisions of assured listings.

Revision ID: 0005_submissions
Revises: 0004_brokerage
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005_submissions'
down_revision = '0004_brokerage'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('listing_section',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], ),
    sa.PrimaryKeyConstraint('listing_id', 'section')
    )
    op.create_table('listing_referee',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], ),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], ),
    sa.PrimaryKeyConstraint('listing_id', 'school_id')
    )
    with op.batch_alter_table('listing_referee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_referee_school_id'), ['school_id'], unique=False)

    op.create_table('listing_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('open_listing_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_listing_id')
    )
    with op.batch_alter_table('listing_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_revision_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_revision_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('listing_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_revision_status'))
        batch_op.drop_index(batch_op.f('ix_listing_revision_listing_id'))

    op.drop_table('listing_revision')
    with op.batch_alter_table('listing_referee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_referee_school_id'))

    op.drop_table('listing_referee')
    op.drop_table('listing_section')
