"""The one permission gate: every "may this user do this?" question is answered here.

Model-wide grants come from role groups; object grants (this panelist on this
application, this member on this organization) are django-guardian rows written only
by services. guardian's object check ignores model-wide grants, so ``has_perm`` asks
both explicitly.
"""

from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_objects_for_user

from portal import roles


def has_perm(user, perm: str, obj=None) -> bool:
    """True when the user holds perm model-wide or, for obj, on that object."""
    if not user.is_active:
        return False
    if user.has_perm(perm):
        return True
    return obj is not None and user.has_perm(perm, obj)


def require_perm(user, perm: str, obj=None) -> None:
    """Refuse the action unless the user holds perm model-wide or on obj."""
    if not has_perm(user, perm, obj):
        raise PermissionDenied(perm)


def visible_to(user, perm: str, queryset):
    """Narrow queryset to the rows the user may see with perm."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.has_perm(perm):
        return queryset
    return get_objects_for_user(user, perm, klass=queryset, accept_global_perms=False)


def has_role(user, role: str) -> bool:
    """True when the user belongs to the role group (superusers hold every role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def is_city_staff(user) -> bool:
    """True for program, finance and communications staff and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=roles.STAFF_ROLES).exists()
