"""Helpers for data migrations that grant model permissions to role groups."""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps) -> None:
    """Create model permissions now; Django normally adds them after migrate ends."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, role: str, perms: list[str]) -> None:
    """Give a role group model-wide permissions named 'app_label.codename'."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.get(name=role)
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, role: str, perms: list[str]) -> None:
    """Take model-wide permissions away from a role group."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=role).first()
    if group is None:
        return
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        )
