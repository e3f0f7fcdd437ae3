"""Program staff build forms and screen applications. Nobody else gets model-wide
rights on applications: panelists and applicants are granted objects one by one."""

from django.db import migrations

from portal.migration_helpers import ensure_permissions, grant, revoke

PROGRAM = [
    "applications.view_application",
    "applications.screen_application",
    "applications.export_application",
    "applications.add_applicationform",
    "applications.change_applicationform",
    "applications.view_applicationform",
]


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    grant(apps, "Program staff", PROGRAM)


def backwards(apps, schema_editor):
    revoke(apps, "Program staff", PROGRAM)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_applications_and_forms"),
        ("portal", "0002_create_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
