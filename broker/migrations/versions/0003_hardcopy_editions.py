"""Printed directory editions: what each LA's published hardcopy contained.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:50:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hardcopy_edition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('la_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('produced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('listing_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('la_code', 'number', name='uq_hardcopy_edition_la_number')
    )
    op.create_table('hardcopy_edition_listing',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('provider_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['hardcopy_edition.id'], ),
    sa.PrimaryKeyConstraint('edition_id', 'listing_id')
    )


def downgrade() -> None:
    op.drop_table('hardcopy_edition_listing')
    op.drop_table('hardcopy_edition')
