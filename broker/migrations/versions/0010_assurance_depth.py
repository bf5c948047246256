"""Assurance in depth (issue 16): which fields an edit changed, in the audit trail.

Revision ID: 0010_assurance_depth
Revises: 0009_index_change_notify
Create Date: 2026-12-02 18:45:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0010_assurance_depth'
down_revision = '0009_index_change_notify'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_fields', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('changed_fields')
