"""Program staff configure funds and rounds; finance staff read them."""

from django.db import migrations

from portal.migration_helpers import ensure_permissions, grant, revoke

PROGRAM = [
    "grants.add_fund",
    "grants.change_fund",
    "grants.view_fund",
    "grants.add_fundinground",
    "grants.change_fundinground",
    "grants.view_fundinground",
]
FINANCE = ["grants.view_fund", "grants.view_fundinground"]


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    grant(apps, "Program staff", PROGRAM)
    grant(apps, "Finance staff", FINANCE)


def backwards(apps, schema_editor):
    revoke(apps, "Program staff", PROGRAM)
    revoke(apps, "Finance staff", FINANCE)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0001_initial"),
        ("portal", "0002_create_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
