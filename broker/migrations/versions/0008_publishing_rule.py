"""The publishing rule in the database: no assured listing without two valid recommending schools.

A trigger on SQLite and PostgreSQL refuses to make a listing assured (an INSERT with status
'assured'; an UPDATE to 'assured', of an assured listing's provider, or extending its
assurance, as a renewal does) unless, at that moment, its provider has recommendations from two different
schools that are confirmed, not withdrawn, dated within the last three years (a day's grace
for time zones) and not from the provider's own school. On PostgreSQL the trigger first locks
the provider's row, as the application does (broker/assurance/locking.py), so a concurrent
change to the provider's evidence waits for it.

What a trigger cannot see is time passing: a recommendation that ages past three years, or an
assurance that runs out, changes nothing in the database. Withdrawals are the application's to
follow up (it takes the provider's listings out in the same transaction, under the provider
lock); the database does not re-check assured listings when a recommendation changes.

Revision ID: 0008_publishing_rule
Revises: 0007_school_register
Create Date: 2026-12-02 13:00:00.000000
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008_publishing_rule'
down_revision = '0007_school_register'
branch_labels = None
depends_on = None

NEEDS_TWO = "an assured listing needs valid recommendations from two different schools"
#: Three years of days (as broker/evidence.py counts them) and one more for time zones.
VALID_DAYS = 365 * 3 + 2

_PG_FUNCTION = f"""
CREATE FUNCTION listing_assured_rule() RETURNS trigger AS $$
BEGIN
  IF NEW.status <> 'assured' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF OLD.status = 'assured'
       AND NEW.provider_id = OLD.provider_id
       AND NOT (NEW.assurance_expires_at IS NULL AND OLD.assurance_expires_at IS NOT NULL)
       AND (NEW.assurance_expires_at > OLD.assurance_expires_at) IS NOT TRUE THEN
      RETURN NEW;
    END IF;
  END IF;
  PERFORM 1 FROM provider WHERE id = NEW.provider_id FOR UPDATE;
  IF (
    SELECT count(DISTINCT r.school_id) FROM recommendation r
    WHERE r.provider_id = NEW.provider_id
      AND r.status = 'confirmed'
      AND r.withdrawn_at IS NULL
      AND r.made_on >= CURRENT_DATE - {VALID_DAYS}
      AND r.school_id IS DISTINCT FROM (SELECT p.school_id FROM provider p WHERE p.id = NEW.provider_id)
  ) < 2 THEN
    RAISE EXCEPTION '{NEEDS_TWO}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

_SQLITE_CHECK = f"""
  SELECT RAISE(ABORT, '{NEEDS_TWO}')
  WHERE (
    SELECT count(DISTINCT r.school_id) FROM recommendation r
    WHERE r.provider_id = NEW.provider_id
      AND r.status = 'confirmed'
      AND r.withdrawn_at IS NULL
      AND r.made_on >= date('now', '-{VALID_DAYS} days')
      AND r.school_id IS NOT (SELECT p.school_id FROM provider p WHERE p.id = NEW.provider_id)
  ) < 2;
"""

_SQLITE_INSERT = f"""
CREATE TRIGGER listing_assured_rule_insert BEFORE INSERT ON listing
WHEN NEW.status = 'assured'
BEGIN
{_SQLITE_CHECK}
END
"""

_SQLITE_UPDATE = f"""
CREATE TRIGGER listing_assured_rule_update BEFORE UPDATE ON listing
WHEN NEW.status = 'assured' AND (
  OLD.status IS NOT 'assured'
  OR NEW.provider_id IS NOT OLD.provider_id
  OR (NEW.assurance_expires_at IS NULL AND OLD.assurance_expires_at IS NOT NULL)
  OR NEW.assurance_expires_at > OLD.assurance_expires_at
)
BEGIN
{_SQLITE_CHECK}
END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER listing_assured_rule BEFORE INSERT OR UPDATE ON listing "
            "FOR EACH ROW EXECUTE FUNCTION listing_assured_rule()"
        )
    else:
        op.execute(_SQLITE_INSERT)
        op.execute(_SQLITE_UPDATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS listing_assured_rule ON listing')
        op.execute('DROP FUNCTION IF EXISTS listing_assured_rule()')
    else:
        op.execute('DROP TRIGGER IF EXISTS listing_assured_rule_insert')
        op.execute('DROP TRIGGER IF EXISTS listing_assured_rule_update')
