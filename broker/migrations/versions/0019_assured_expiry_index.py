"""Find assurances that ran out without reading every listing: a partial index on expiry.

Every index sync, in every server process, first looks for an assured listing whose assurance
ran out (broker.lifecycle.services.lapse_expired). At 100,000 listings PostgreSQL answered
that look with a sequential scan (72-111 ms each time: it expected to find one early, and
usually there is none), several times a second on every machine under load. An index of
assured listings by expiry answers it in a few hundredths of a millisecond, and stays small
as lapsed listings accumulate.

Revision ID: 0019_assured_expiry_index
Revises: 0018_provider_la_index
Create Date: 2026-12-03 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019_assured_expiry_index'
down_revision = '0018_provider_la_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    assured = sa.text("status = 'assured'")
    op.create_index(
        'ix_listing_assured_expiry',
        'listing',
        ['assurance_expires_at'],
        unique=False,
        postgresql_where=assured,
        sqlite_where=assured,
    )


def downgrade() -> None:
    op.drop_index('ix_listing_assured_expiry', table_name='listing')
