"""Program staff confirm commitments and verify reports; finance can read commitments
(report narratives stay with program staff)."""

from django.db import migrations

from portal.migration_helpers import ensure_permissions, grant, revoke

PROGRAM = [
    "grants.add_hiringcommitment",
    "grants.change_hiringcommitment",
    "grants.view_hiringcommitment",
    "grants.add_hiringreport",
    "grants.view_hiringreport",
    "grants.verify_hiringreport",
]
FINANCE = ["grants.view_hiringcommitment"]


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    grant(apps, "Program staff", PROGRAM)
    grant(apps, "Finance staff", FINANCE)


def backwards(apps, schema_editor):
    revoke(apps, "Program staff", PROGRAM)
    revoke(apps, "Finance staff", FINANCE)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0007_hiring_commitments_and_reports"),
        ("portal", "0002_create_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
