"""Shared fixtures: one person per role, and the seeded demo site."""

import pytest
from django.core.management import call_command
from django.utils import translation

from portal import roles
from tests.factories import UserFactory


@pytest.fixture
def program_staff(db):
    return UserFactory(roles=[roles.PROGRAM_STAFF], is_staff=True)


@pytest.fixture
def finance_officer(db):
    return UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True)


@pytest.fixture
def comms_staff(db):
    return UserFactory(roles=[roles.COMMUNICATIONS_STAFF], is_staff=True)


@pytest.fixture
def panelist(db):
    return UserFactory(roles=[roles.PANELISTS])


@pytest.fixture
def applicant(db):
    return UserFactory(roles=[roles.APPLICANTS])


@pytest.fixture
def administrator(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def demo_site(db):
    """The full demo content, as `make run` seeds it."""
    call_command("seed_demo", "--force-for-tests", verbosity=0)


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to /es/ must not leave Spanish switched on for the next test."""
    yield
    translation.activate("en")
