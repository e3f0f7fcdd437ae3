"""Roles exist as groups from migrations; the gate answers model and object grants."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import assign_perm

from grants.models import FundingRound
from portal import roles
from portal.permissions import has_perm, require_perm, visible_to
from tests.factories import FundingRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_group_is_created_by_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_only_staff_roles_reach_the_wagtail_admin():
    access = Permission.objects.get(codename="access_admin")
    holders = set(access.group_set.values_list("name", flat=True))
    assert set(roles.STAFF_ROLES) <= holders
    assert not holders & {roles.APPLICANTS, roles.PANELISTS, roles.PANEL_CHAIRS}


def test_non_staff_roles_hold_no_model_wide_permissions():
    for name in (roles.APPLICANTS, roles.PANELISTS, roles.PANEL_CHAIRS):
        assert not Group.objects.get(name=name).permissions.exists()


def test_model_wide_grant_allows_every_object(program_staff):
    funding_round = FundingRoundFactory()
    assert has_perm(program_staff, "grants.change_fundinground", funding_round)
    require_perm(program_staff, "grants.change_fundinground", funding_round)


def test_object_grant_allows_only_that_object(applicant):
    mine, other = FundingRoundFactory(), FundingRoundFactory()
    assign_perm("grants.view_fundinground", applicant, mine)
    assert has_perm(applicant, "grants.view_fundinground", mine)
    assert not has_perm(applicant, "grants.view_fundinground", other)
    assert list(
        visible_to(applicant, "grants.view_fundinground", FundingRound.objects.all())
    ) == [mine]


def test_no_grant_is_refused(applicant):
    funding_round = FundingRoundFactory()
    with pytest.raises(PermissionDenied):
        require_perm(applicant, "grants.change_fundinground", funding_round)
    assert not visible_to(
        applicant, "grants.view_fundinground", FundingRound.objects.all()
    ).exists()


def test_deactivated_staff_lose_every_permission(program_staff):
    program_staff.is_active = False
    program_staff.save()
    assert not has_perm(program_staff, "grants.change_fundinground")


def test_user_label_in_audit_logs_is_a_number_not_an_address():
    user = UserFactory(email="someone@example.org", first_name="Ayaan")
    assert str(user) == f"User {user.pk}"
