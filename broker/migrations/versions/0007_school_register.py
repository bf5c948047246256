"""Schools from the DfE register: a postcode, and the date a school closed.

Revision ID: 0007_school_register
Revises: 0006_assurance
Create Date: 2026-12-02 12:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007_school_register'
down_revision = '0006_assurance'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two added columns: SQLite's batch mode adds them in place (no table rebuild).
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('closed_on')
        batch_op.drop_column('postcode')
