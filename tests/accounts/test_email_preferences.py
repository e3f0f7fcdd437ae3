"""People can opt out of optional emails; receipts and questions still arrive."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from applications.models import Application
from applications.tasks import send_application_email
from tests.applications.test_apply import confirmed_user, organization_for
from tests.factories import ApplicationFormFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application_and_member():
    user = confirmed_user()
    organization = organization_for(user)
    form = ApplicationFormFactory()
    application = Application.objects.create(
        funding_round=form.funding_round,
        organization=organization,
        title="Circles",
        reference="T9-0001",
    )
    return application, user


def test_account_page_saves_the_preference_and_logs_it(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("accounts:account"), {})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.optional_emails is False
    assert (
        ModelLogEntry.objects.filter(action="accounts.set_email_preferences").count()
        == 1
    )
    client.post(reverse("accounts:account"), {"optional_emails": "on"})
    applicant.refresh_from_db()
    assert applicant.optional_emails is True


def test_optional_emails_respect_the_opt_out(application_and_member, mailoutbox):
    application, user = application_and_member
    user.optional_emails = False
    user.save()
    assert (
        send_application_email.call(
            application_id=application.pk, kind="information_received"
        )
        == 0
    )
    assert mailoutbox == []


def test_essential_emails_are_sent_even_after_opting_out(
    application_and_member, mailoutbox
):
    application, user = application_and_member
    user.optional_emails = False
    user.save()
    send_application_email.call(
        application_id=application.pk, kind="information_requested"
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].bcc == [user.email]
    assert "T9-0001" in mailoutbox[0].subject


def test_a_failed_send_is_retried_with_the_same_message(
    application_and_member, mailoutbox, monkeypatch
):
    from django.core.mail import EmailMultiAlternatives

    application, _user = application_and_member
    real_send = EmailMultiAlternatives.send
    failures = iter([OSError("mail server down"), OSError("still down")])

    def flaky_send(self, *args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    send_application_email.call(application_id=application.pk, kind="submitted")
    assert len(mailoutbox) == 1
    assert "T9-0001" in mailoutbox[0].subject


def test_sending_gives_up_after_five_attempts(
    application_and_member, mailoutbox, monkeypatch
):
    from django.core.mail import EmailMultiAlternatives

    application, _user = application_and_member
    calls = []

    def broken_send(self, *args, **kwargs):
        calls.append(1)
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken_send)
    # The last attempt fails for good; the tasks backend records it as failed.
    send_application_email.call(application_id=application.pk, kind="submitted")
    assert len(calls) == 5
    assert mailoutbox == []
