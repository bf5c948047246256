"""Find the listings that name an LA without reading every listing: a GIN index on PostgreSQL.

A QA officer's queue holds the listings of providers in their LA and the listings naming their
LA among the areas served (broker.assurance.services.qa_scope). On PostgreSQL that test is JSON
containment, `local_authorities::jsonb @> '["<code>"]'`, which this expression index answers;
at 100,000 listings reading every listing's JSON made each queue page take seconds. SQLite
(one LA's directory) keeps its quoted LIKE and needs no index.

Revision ID: 0010_listing_areas_gin
Revises: 0009_index_change_notify
Create Date: 2026-12-02 19:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0010_listing_areas_gin'
down_revision = '0009_index_change_notify'
branch_labels = None
depends_on = None

#: The name broker.assurance.services relies on nowhere: only the expression must match.
INDEX = 'ix_listing_local_authorities_gin'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'CREATE INDEX {INDEX} ON listing '
            'USING gin ((local_authorities::jsonb) jsonb_path_ops)'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP INDEX IF EXISTS {INDEX}')
