"""The joint support plan (issue 16): a brokerage's planned dates, agreed cost and how its
impact will be judged, set by the SIP or the school once the support is agreed.

Revision ID: 0014_support_plan
Revises: 0013_assurance_depth
Create Date: 2026-12-02 21:45:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014_support_plan'
down_revision = '0013_assurance_depth'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('brokerage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('planned_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('agreed_cost_pence', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('cost_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column('success_criteria', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('brokerage', schema=None) as batch_op:
        batch_op.drop_column('success_criteria')
        batch_op.drop_column('cost_note')
        batch_op.drop_column('agreed_cost_pence')
        batch_op.drop_column('planned_end')
        batch_op.drop_column('planned_start')
