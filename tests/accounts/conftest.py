"""Fixtures for account tests: emails sent on commit, a chair, a confirmed applicant."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal import roles
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Notices are limited per address through the cache; start each test afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """Use as `with sending():` around a request: emails queued on commit go out."""

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


@pytest.fixture
def chair(db):
    return UserFactory(roles=[roles.PANEL_CHAIRS])


@pytest.fixture
def confirmed_applicant(applicant):
    applicant.email_confirmed_at = timezone.now()
    applicant.save()
    return applicant
