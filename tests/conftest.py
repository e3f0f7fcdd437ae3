"""Shared fixtures: one person per role, and the seeded demo site."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from portal import roles
from tests.factories import UserFactory
from tests.helpers import moto_server  # noqa: F401  (a fixture for every module)


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


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker):
    """Seed the demo once per test module inside a transaction rolled back at the end.

    Each test still runs in its own savepoint (the ``db`` fixture), like Django's
    ``setUpTestData``, so tests may change demo rows freely.
    """
    with django_db_blocker.unblock():
        cache.clear()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", "--force-for-tests", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


@pytest.fixture
def demo_site(_seeded_module, db):
    """The full demo content, as `make run` seeds it."""
    cache.clear()


@pytest.fixture(autouse=True)
def _erasure_log_per_test(settings, tmp_path_factory):
    """Erasures in a test are logged to a file of its own, never the checkout's."""
    settings.PORTAL_ERASURE_LOG = str(
        tmp_path_factory.mktemp("erasure") / "erasure-log.jsonl"
    )


@pytest.fixture(autouse=True)
def _empty_cache_between_tests():
    """Rate-limit counts and cached figures belong to one test only."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to /es/ must not leave Spanish switched on for the next test."""
    yield
    translation.activate("en")
