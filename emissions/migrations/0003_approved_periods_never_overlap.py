"""On PostgreSQL, the database itself refuses overlapping approved periods for one subject and kind.

An exclusion constraint over (kind, subject, daterange(valid_from, valid_to)) restricted to approved rows.
SQLite has no equivalent; there the services' check (``emissions.services.factors``) is the guard.
The subject columns are COALESCEd because NULL never compares equal.
"""

from django.db import migrations

CONSTRAINT = "factor_approved_periods_never_overlap"

CREATE_SQL = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE emissions_emissionfactor ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist (
    kind WITH =,
    (COALESCE(zone_id, 0)) WITH =,
    (COALESCE(region_id, 0)) WITH =,
    (COALESCE(accelerator_id, 0)) WITH =,
    (COALESCE(ai_model_id, 0)) WITH =,
    daterange(valid_from, valid_to, '[)') WITH &&
) WHERE (status = 'approved');
"""
DROP_SQL = f"ALTER TABLE emissions_emissionfactor DROP CONSTRAINT IF EXISTS {CONSTRAINT};"


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that is a no-op on databases other than PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("emissions", "0002_initial")]

    operations = [PostgresOnlySQL(CREATE_SQL, DROP_SQL)]
