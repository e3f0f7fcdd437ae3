"""The ledger refuses UPDATE and DELETE in the database itself (PostgreSQL), and the
money permissions go to program and finance staff.

SQLite relies on the model and queryset guards: a trigger there would also stop the
test runner's flush, which deletes rows.
"""

from django.db import migrations

from portal.migration_helpers import ensure_permissions, grant, revoke

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION grants_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: write a correcting entry instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER grants_ledger_no_update BEFORE UPDATE OR DELETE ON grants_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION grants_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS grants_ledger_no_update ON grants_ledgerentry;
DROP FUNCTION IF EXISTS grants_ledger_append_only();
"""

PROGRAM = [
    "grants.add_award",
    "grants.view_award",
    "grants.amend_award",
    "grants.add_installment",
    "grants.change_installment",
    "grants.view_installment",
    "grants.view_disbursement",
    "grants.view_ledgerentry",
]
FINANCE = [
    "grants.view_award",
    "grants.view_installment",
    "grants.view_disbursement",
    "grants.request_disbursement",
    "grants.approve_disbursement",
    "grants.record_disbursement",
    "grants.view_ledgerentry",
    "grants.view_payeeaccount",
    "grants.view_stripeevent",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)
    ensure_permissions(apps)
    grant(apps, "Program staff", PROGRAM)
    grant(apps, "Finance staff", FINANCE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
    revoke(apps, "Program staff", PROGRAM)
    revoke(apps, "Finance staff", FINANCE)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0005_awards_disbursements_ledger"),
        ("portal", "0002_create_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
