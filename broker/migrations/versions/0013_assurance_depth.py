"""Assurance in depth (issue 16): which fields an edit changed, in the audit trail; the
register of interests SIPs and QA officers keep, and a SIP's declaration on a shortlisted item;
heads' authority for named leaders of their school to act for it.

The two-school rule's database guard (migration 0006's trigger) accepts a recommendation by the
school's head, as before, or by a leader the school authorised (role school_leader, an authority
row for that school). That the authority is current is the service's check
(broker.caseload.speaks_for_school): the guard must not refuse a later change of a row (its
withdrawal) that a leader made while authorised.

Revision ID: 0013_assurance_depth
Revises: 0012_daily_work
Create Date: 2026-12-02 18:45:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013_assurance_depth'
down_revision = '0012_daily_work'
branch_labels = None
depends_on = None

OWN_SCHOOL = "a school cannot recommend its own provider"
NOT_HEAD = "only the headteacher of the recommending school can make this recommendation"
NOT_SCHOOL = (
    "only the headteacher of the recommending school, or a leader it authorised, "
    "can make this recommendation"
)

#: Who may be recorded as a school's recommender (NEW is the recommendation row).
_SPEAKS_FOR_SCHOOL = """
    SELECT 1 FROM "user" u
    WHERE u.id = NEW.recommender_user_id AND u.school_id = NEW.school_id
      AND (u.role = 'headteacher' OR (u.role = 'school_leader' AND EXISTS (
        SELECT 1 FROM school_authority a
        WHERE a.user_id = u.id AND a.school_id = NEW.school_id)))
"""
_HEAD_ONLY = """
    SELECT 1 FROM "user" u
    WHERE u.id = NEW.recommender_user_id AND u.school_id = NEW.school_id AND u.role = 'headteacher'
"""


def _pg_function(who: str, message: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION recommendation_rule() RETURNS trigger AS $$
BEGIN
  IF NEW.recommender_user_id IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM provider p WHERE p.id = NEW.provider_id AND p.school_id = NEW.school_id) THEN
      RAISE EXCEPTION '{OWN_SCHOOL}' USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS ({who}) THEN
      RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def _sqlite_trigger(event: str, who: str, message: str) -> str:
    return f"""
CREATE TRIGGER recommendation_rule_{event.lower()} BEFORE {event} ON recommendation
WHEN NEW.recommender_user_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, '{OWN_SCHOOL}')
  WHERE EXISTS (SELECT 1 FROM provider p WHERE p.id = NEW.provider_id AND p.school_id = NEW.school_id);
  SELECT RAISE(ABORT, '{message}')
  WHERE NOT EXISTS ({who});
END
"""


def _guard(who: str, message: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_pg_function(who, message))
    else:
        for event in ('INSERT', 'UPDATE'):
            op.execute(f'DROP TRIGGER IF EXISTS recommendation_rule_{event.lower()}')
            op.execute(_sqlite_trigger(event, who, message))


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_fields', sa.JSON(), nullable=True))
    with op.batch_alter_table('brokerage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interest_declared', sa.Text(), nullable=True))
    op.create_table(
        'interest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_user_id'), ['user_id'], unique=False)
    op.create_table(
        'school_authority',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['granted_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['school_id'], ['school.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('school_authority', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_authority_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_authority_user_id'), ['user_id'], unique=False)
    _guard(_SPEAKS_FOR_SCHOOL, NOT_SCHOOL)


def downgrade() -> None:
    _guard(_HEAD_ONLY, NOT_HEAD)
    with op.batch_alter_table('school_authority', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_authority_user_id'))
        batch_op.drop_index(batch_op.f('ix_school_authority_school_id'))
    op.drop_table('school_authority')
    with op.batch_alter_table('interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_user_id'))
        batch_op.drop_index(batch_op.f('ix_interest_provider_id'))
    op.drop_table('interest')
    with op.batch_alter_table('brokerage', schema=None) as batch_op:
        batch_op.drop_column('interest_declared')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('changed_fields')
