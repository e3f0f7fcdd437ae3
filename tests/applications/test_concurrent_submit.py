"""Submissions racing each other on PostgreSQL: row locks keep one submission per
application and one reference number per submission.

SQLite takes a database-wide lock at BEGIN, so only PostgreSQL shows real races.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from applications import services
from applications.models import Application, StatusChange
from applications.schema import live_raw_blocks, sections_from
from tests.applications.test_apply import (
    confirmed_user,
    fill_everything,
    organization_for,
)
from tests.factories import ApplicationFormFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging it


def applicant_setup(form, name="Northside Healing Collective"):
    """The same shape as the `setup` fixture in test_apply, for a given form."""
    user = confirmed_user()
    return {
        "form": form,
        "round": form.funding_round,
        "user": user,
        "organization": organization_for(user, name=name),
        "sections": sections_from(live_raw_blocks(form)),
    }


def complete_draft(setup) -> Application:
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    return fill_everything(setup, application)


def submit_at_once(attempts) -> list:
    """Call submit_application for each (user, application pk) in its own thread,
    all released together; return each call's result or exception, in order."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def attempt(index, user, application_pk):
        try:
            # Each thread reads its own copy, on its own connection.
            application = Application.objects.get(pk=application_pk)
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = services.submit_application(
                actor=user, application=application
            )
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(index, user, pk))
        for index, (user, pk) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return outcomes


def test_two_simultaneous_submits_of_one_application_make_one_submission():
    setup = applicant_setup(ApplicationFormFactory())
    application = complete_draft(setup)
    user = setup["user"]

    outcomes = submit_at_once([(user, application.pk), (user, application.pk)])

    succeeded = [o for o in outcomes if isinstance(o, Application)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(succeeded) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].code == "already_submitted"
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == f"{setup['round'].reference_prefix}-0001"
    assert succeeded[0].reference == application.reference
    assert (
        StatusChange.objects.filter(
            application=application, to_status=Application.Status.SUBMITTED
        ).count()
        == 1
    )
    assert (
        Application.objects.filter(
            funding_round=setup["round"], reference__isnull=False
        ).count()
        == 1
    )


def test_two_organizations_submitting_at_once_get_distinct_references():
    form = ApplicationFormFactory()
    first = applicant_setup(form, name="Northside Healing Collective")
    second = applicant_setup(form, name="Cedar Riverside Circle")
    first_application = complete_draft(first)
    second_application = complete_draft(second)

    outcomes = submit_at_once(
        [
            (first["user"], first_application.pk),
            (second["user"], second_application.pk),
        ]
    )

    assert all(isinstance(o, Application) for o in outcomes), outcomes
    prefix = form.funding_round.reference_prefix
    references = sorted(
        Application.objects.filter(funding_round=form.funding_round).values_list(
            "reference", flat=True
        )
    )
    assert references == [f"{prefix}-0001", f"{prefix}-0002"]
    assert sorted(o.reference for o in outcomes) == references
    assert (
        StatusChange.objects.filter(to_status=Application.Status.SUBMITTED).count() == 2
    )
