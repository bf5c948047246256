"""Find an LA's providers without reading every provider: an index on provider.la_id.

A QA officer's queue and the brokering-spread page start from the providers based in the
officer's LA (broker.assurance.services.qa_scope); with 47,000 providers (the national case,
100,000 listings) each queue page read every provider's row to find the LA's few hundred.

Revision ID: 0018_provider_la_index
Revises: 0017_feedback
Create Date: 2026-12-03 04:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0018_provider_la_index'
down_revision = '0017_feedback'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_provider_la_id', 'provider', ['la_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_provider_la_id', table_name='provider')
