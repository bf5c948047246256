"""Quality assurance: review and reminder dates on listings, request dates on recommendations,
and the two-school rule's database guard (a trigger on SQLite and PostgreSQL).

The trigger refuses a recommendation attributed to a signed-in user (recommender_user_id set)
unless that user is the headteacher of the recommending school, and refuses one from the
provider's own school. Recommendations imported from an LA's paper records carry no user; they
are kept as given and the counting rule (broker/evidence.py) never counts one from the
provider's own school.

Revision ID: 0006_assurance
Revises: 0005_submissions
Create Date: 2026-11-23 12:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006_assurance'
down_revision = '0005_submissions'
branch_labels = None
depends_on = None

OWN_SCHOOL = "a school cannot recommend its own provider"
NOT_HEAD = "only the headteacher of the recommending school can make this recommendation"

_PG_FUNCTION = f"""
CREATE FUNCTION recommendation_rule() RETURNS trigger AS $$
BEGIN
  IF NEW.recommender_user_id IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM provider p WHERE p.id = NEW.provider_id AND p.school_id = NEW.school_id) THEN
      RAISE EXCEPTION '{OWN_SCHOOL}' USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (
      SELECT 1 FROM "user" u
      WHERE u.id = NEW.recommender_user_id AND u.school_id = NEW.school_id AND u.role = 'headteacher'
    ) THEN
      RAISE EXCEPTION '{NOT_HEAD}' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def _sqlite_trigger(event: str) -> str:
    return f"""
CREATE TRIGGER recommendation_rule_{event.lower()} BEFORE {event} ON recommendation
WHEN NEW.recommender_user_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, '{OWN_SCHOOL}')
  WHERE EXISTS (SELECT 1 FROM provider p WHERE p.id = NEW.provider_id AND p.school_id = NEW.school_id);
  SELECT RAISE(ABORT, '{NOT_HEAD}')
  WHERE NOT EXISTS (
    SELECT 1 FROM "user" u
    WHERE u.id = NEW.recommender_user_id AND u.school_id = NEW.school_id AND u.role = 'headteacher'
  );
END
"""


def upgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('renewal_reminder_sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('responded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key('fk_recommendation_requested_by_id_user', 'user', ['requested_by_id'], ['id'])

    # After the batch operations: SQLite's batch mode rebuilds the table, which drops triggers.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER recommendation_rule BEFORE INSERT OR UPDATE ON recommendation "
            "FOR EACH ROW EXECUTE FUNCTION recommendation_rule()"
        )
    else:
        op.execute(_sqlite_trigger('INSERT'))
        op.execute(_sqlite_trigger('UPDATE'))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS recommendation_rule ON recommendation')
        op.execute('DROP FUNCTION IF EXISTS recommendation_rule()')
    else:
        op.execute('DROP TRIGGER IF EXISTS recommendation_rule_insert')
        op.execute('DROP TRIGGER IF EXISTS recommendation_rule_update')

    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_recommendation_requested_by_id_user', type_='foreignkey')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('requested_at')
        batch_op.drop_column('requested_by_id')

    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_column('renewal_reminder_sent_at')
        batch_op.drop_column('review_requested_at')
