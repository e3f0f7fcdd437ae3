"""Add the language-access locales and give communications staff the site to edit.

Communications staff may add and edit pages but not publish: their changes go through
Wagtail's moderation workflow ("Moderators approval" on the root page). They edit images,
documents and the site settings, and nothing on the grants side.
"""

from django.db import migrations

from portal.migration_helpers import ensure_permissions, grant, revoke

LANGUAGES = ["es", "so", "hmn"]
PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
MODEL_PERMISSIONS = [
    "cms.change_safetysettings",
    "cms.change_navigationsettings",
    "simple_translation.submit_translation",
]
ROLE = "Communications staff"


def forwards(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in LANGUAGES:
        Locale.objects.get_or_create(language_code=code)

    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    group = Group.objects.get(name=ROLE)
    root_page = Page.objects.get(depth=1)
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=root_page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    root_collection = Collection.objects.get(depth=1)
    for app_label, codename in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=root_collection,
            permission=Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            ),
        )
    grant(apps, ROLE, MODEL_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE, MODEL_PERMISSIONS)
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission.objects.filter(group__name=ROLE).delete()
    GroupCollectionPermission.objects.filter(group__name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("portal", "0002_create_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("simple_translation", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
