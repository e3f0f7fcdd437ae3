"""The audit trail: every event class the city asked for leaves an entry naming its
actor, labels are references rather than names, and administrators (only) browse,
filter and export the trail from the Wagtail admin."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from wagtail.log_actions import log, registry
from wagtail.models import ModelLogEntry

from applications import services as application_services
from applications.models import Attachment
from grants import services as grant_services
from grants.models import Award, Organization, StripeEvent
from grants.tasks import send_stripe_transfer
from portal import roles
from portal.audit import CHANGE_ROLES, EXPORT_AUDIT_TRAIL, PERMISSION_DENIED
from portal.models import User
from tests.accounts.helpers import add_authenticator, code_for, sign_in
from tests.factories import MembershipFactory, UserFactory
from tests.grants import money_helpers
from tests.grants.stripe_fake import (
    FakeStripe,
    approved_stripe_payment,
    ensure_log_actions,
    event_body,
    point_settings_at,
    sign,
)
from tests.helpers import exported, login_verified
from tests.panels.helpers import (
    application_for,
    award_details,
    make_panel,
    ready_to_review,
    record_conflict,
    scores_for,
    seat,
)

pytestmark = pytest.mark.django_db

TRAIL = "/admin/audit-trail/"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
WEBHOOK = "/stripe/webhook/"
PDF_BYTES = b"%PDF-1.4 budget"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]+", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _labels_are_references():
    """After every test: no entry's label names a person or holds an address, and no
    entry's data holds an address."""
    yield
    names = set()
    for first, last, email in User.objects.values_list(
        "first_name", "last_name", "email"
    ):
        names.update(value for value in (first, last, email) if value)
    for contact, email in Organization.objects.values_list(
        "contact_name", "contact_email"
    ):
        names.update(value for value in (contact, email) if value)
    names.update(
        value for value in Award.objects.values_list("signer_name", flat=True) if value
    )
    for entry in ModelLogEntry.objects.all():
        assert not EMAIL.search(entry.label), entry.label
        assert not EMAIL.search(json.dumps(entry.data)), (entry.action, entry.data)
        for name in names:
            pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
            assert not re.search(pattern, entry.label, re.IGNORECASE), (
                entry.action,
                entry.label,
            )


def entries(action, *, actor=None, about=None):
    """Entries with this action, by this actor (None: by nobody), on this object."""
    found = ModelLogEntry.objects.filter(action=action)
    found = (
        found.filter(user__isnull=True)
        if actor is None
        else found.filter(user_id=actor.pk)
    )
    if about is not None:
        found = found.filter(
            content_type__app_label=about._meta.app_label,
            content_type__model=about._meta.model_name,
            object_id=str(about.pk),
        )
    return found


def person(**values):
    values.setdefault("first_name", "Quillon")
    values.setdefault("last_name", "Marrowby")
    return UserFactory(**values)


def make_attachment(application, field_id="budget-doc"):
    attachment = Attachment(
        application=application,
        field_id=field_id,
        original_name="budget.pdf",
        size=len(PDF_BYTES),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    attachment.file.save("budget.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def file_field_id(form) -> str:
    return next(
        block["id"]
        for block in form.fields.raw_data
        if block["value"].get("label") == "Budget document"
    )


def user_edit_data(form) -> dict:
    """What the Wagtail user edit form posts back unchanged."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    return data


@pytest.fixture
def fake(settings):
    ensure_log_actions()
    server = FakeStripe().start()
    point_settings_at(settings, server)
    yield server
    server.stop()


# Every action written here is registered, so the admin names it -------------------


@pytest.mark.parametrize(
    "action",
    [
        "accounts.login",
        "accounts.login_failed",
        "accounts.enable_two_factor",
        "accounts.verify_two_factor",
        "accounts.two_factor_failed",
        "accounts.regenerate_backup_codes",
        PERMISSION_DENIED,
        CHANGE_ROLES,
        "grants.accept_invitation",
        "grants.remove_member",
        "applications.remove_panel_member",
        "applications.assign_reviewer",
        "applications.withdraw_reviewer",
        "applications.declare_conflict",
        "applications.submit_review",
        "applications.record_decision",
        "grants.create_award",
        "grants.accept_award",
        "grants.request_disbursement",
        "grants.approve_disbursement",
        "grants.mark_sent",
        "grants.mark_paid",
        "grants.failed_disbursement",
        "grants.reversed_disbursement",
        "grants.cancel_disbursement",
        "grants.record_transfer_sent",
        "grants.refuse_stripe_webhook",
        "grants.process_stripe_event",
        "applications.download_attachment",
        "applications.export_applications",
        "grants.export_ledger",
        EXPORT_AUDIT_TRAIL,
    ],
)
def test_each_audited_action_has_a_label_in_the_admin(action):
    assert registry.action_exists(action)
    assert registry.get_action_label(action) != action


# Signing in and the second factor ---------------------------------------------------


def test_signing_in_and_a_failed_sign_in_are_recorded(client):
    someone = person(email="quillon.marrowby@example.org")

    sign_in(client, someone)
    client.post(reverse("accounts:logout"))
    client.post(
        reverse("accounts:login"),
        {"username": someone.email, "password": "not the right password"},
    )

    assert entries("accounts.login", actor=someone, about=someone).count() == 1
    # Whoever typed the wrong password is not known to be the account holder.
    assert entries("accounts.login_failed", actor=None, about=someone).count() == 1


def test_setting_up_checking_and_renewing_the_second_factor_are_recorded(
    client, program_staff, finance_officer
):
    client.force_login(program_staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=program_staff)
    client.post(SETUP, {"code": code_for(device), "next": "/portal/"})
    client.post(reverse("accounts:two_factor_backup_codes"))

    client.force_login(finance_officer)
    authenticator = add_authenticator(finance_officer)
    wrong = "000000" if code_for(authenticator) != "000000" else "111111"
    client.post(VERIFY, {"code": wrong, "next": "/admin/"})
    authenticator.refresh_from_db()
    authenticator.throttle_reset()
    client.post(VERIFY, {"code": code_for(authenticator), "next": "/admin/"})

    for action, actor in [
        ("accounts.enable_two_factor", program_staff),
        ("accounts.regenerate_backup_codes", program_staff),
        ("accounts.two_factor_failed", finance_officer),
        ("accounts.verify_two_factor", finance_officer),
    ]:
        assert entries(action, actor=actor, about=actor).count() == 1, action


# Permission denials -----------------------------------------------------------------


def test_a_refusal_answered_404_is_recorded_against_the_person(client, program_staff):
    login_verified(client, program_staff)

    response = client.get(TRAIL, {"action": "accounts.login", "label": "secret"})

    assert response.status_code == 404
    entry = entries(PERMISSION_DENIED, actor=program_staff, about=program_staff).get()
    assert entry.label == f"User {program_staff.pk}"
    # The URL's name, the method and ids: never the query string.
    assert entry.data == {"url_name": "portal_audit_trail", "method": "GET", "ids": {}}


def test_a_refusal_the_wagtail_admin_answers_itself_is_recorded_with_the_ids(
    client, comms_staff, applicant
):
    login_verified(client, comms_staff)

    listing = client.get("/admin/applications/")
    someone_else = client.post(
        reverse("wagtailusers_users:edit", args=[applicant.pk]), {"email": "x"}
    )

    assert (listing.status_code, someone_else.status_code) == (302, 302)
    assert listing["Location"] == someone_else["Location"] == "/admin/"
    assert [
        entry.data
        for entry in entries(PERMISSION_DENIED, actor=comms_staff).order_by("pk")
    ] == [
        {"url_name": "screening:index", "method": "GET", "ids": {}},
        {
            "url_name": "wagtailusers_users:edit",
            "method": "POST",
            "ids": {"pk": str(applicant.pk)},
        },
    ]
    assert applicant.email != "x"


def test_a_signed_in_applicant_sent_away_from_the_admin_is_recorded(client, applicant):
    client.force_login(applicant)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert entries(PERMISSION_DENIED, actor=applicant, about=applicant).count() == 1


def test_anonymous_visitors_and_plain_not_found_are_not_recorded(client, applicant):
    client.get(TRAIL)
    client.get("/admin/applications/")
    client.force_login(applicant)
    missing = reverse(
        "applications:task_list",
        kwargs={"public_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert client.get(missing).status_code == 404
    assert client.get("/no-such-page/").status_code == 404

    assert not ModelLogEntry.objects.filter(action=PERMISSION_DENIED).exists()


# Roles and memberships --------------------------------------------------------------


def test_giving_and_taking_roles_in_the_wagtail_admin_is_recorded(
    client, administrator
):
    someone = person(roles=[roles.APPLICANTS])
    login_verified(client, administrator)
    url = reverse("wagtailusers_users:edit", args=[someone.pk])
    data = user_edit_data(client.get(url).context["form"])

    assert client.post(url, data).status_code == 302  # saved, roles unchanged
    assert not entries(CHANGE_ROLES, actor=administrator).exists()

    data["groups"] = [str(Group.objects.get(name=roles.PROGRAM_STAFF).pk)]
    assert client.post(url, data).status_code == 302

    entry = entries(CHANGE_ROLES, actor=administrator, about=someone).get()
    assert entry.data == {"added": [roles.PROGRAM_STAFF], "removed": [roles.APPLICANTS]}
    assert set(someone.groups.values_list("name", flat=True)) == {roles.PROGRAM_STAFF}


def test_joining_and_leaving_an_organization_and_a_panel_are_recorded(program_staff):
    owner_membership = MembershipFactory(role="owner", user=person())
    owner, organization = owner_membership.user, owner_membership.organization
    newcomer = person(first_name="Oriel", email="oriel.newcomer@example.org")

    invitation = grant_services.invite_member(
        actor=owner, organization=organization, email=newcomer.email, role="editor"
    )
    membership = grant_services.accept_invitation(
        actor=newcomer, token=invitation.token
    )
    grant_services.remove_member(actor=owner, membership=membership)

    panel, _form, _rubric = make_panel()
    panel_seat = seat(panel)
    application_services.remove_panel_member(actor=program_staff, membership=panel_seat)

    assert entries("grants.accept_invitation", actor=newcomer, about=organization)
    assert entries("grants.remove_member", actor=owner, about=organization)
    assert entries("applications.remove_panel_member", actor=program_staff)


# Reviewing, deciding and awarding ---------------------------------------------------


def test_assignments_conflicts_reviews_decisions_and_awards_are_recorded(
    program_staff,
):
    panel, form, _rubric = make_panel()
    chair = seat(panel, role="chair").user
    reviewer, withdrawn, conflicted = (seat(panel).user for _ in range(3))
    application = application_for(form, amount_requested=Decimal("20000.00"))
    owner = MembershipFactory(
        organization=application.organization, role="owner", user=person()
    ).user

    assignment = ready_to_review(program_staff, panel, application, reviewer)
    application_services.save_review(
        actor=reviewer,
        assignment=assignment,
        scores=scores_for(panel, [5, 4]),
        recommendation="fund",
        submit=True,
    )
    taken_back = application_services.assign_reviewer(
        actor=program_staff, panel=panel, application=application, panelist=withdrawn
    )
    application_services.withdraw_reviewer(actor=program_staff, assignment=taken_back)
    record_conflict(program_staff, panel, application, conflicted)
    application_services.record_recommendation(
        actor=chair,
        application=application,
        method="consensus",
        outcome="fund",
        rationale="A clear plan led by survivors.",
    )
    application_services.record_decision(
        actor=program_staff,
        application=application,
        outcome="award",
        amount=Decimal("18000.00"),
        award_details=award_details(),
    )
    application.refresh_from_db()
    grant_services.accept_award(
        actor=owner, award=application.award, signer_name="Amina Yusuf"
    )

    assert entries("applications.assign_reviewer", actor=program_staff).count() == 3
    assert entries(
        "applications.withdraw_reviewer", actor=program_staff, about=application
    )
    assert entries(
        "applications.declare_conflict", actor=conflicted, about=application
    ).get().data == {"has_conflict": True}
    assert entries("applications.declare_conflict", actor=reviewer, about=application)
    assert entries("applications.submit_review", actor=reviewer, about=application)
    assert entries(
        "applications.record_decision", actor=program_staff, about=application
    )
    award = application.award
    assert entries("grants.create_award", actor=program_staff, about=award)
    assert entries("grants.accept_award", actor=owner, about=award)


# Money ------------------------------------------------------------------------------


def test_every_disbursement_transition_is_recorded(program_staff, finance_officer):
    approver = money_helpers.finance_user()
    award, (first, second, third), _owner = money_helpers.accepted_award(
        program_staff, "30000.00", parts=["10000.00", "10000.00", "10000.00"]
    )

    paid = money_helpers.pay(finance_officer, approver, first)
    grant_services.mark_failed(
        actor=finance_officer,
        disbursement=paid,
        reason="Returned",
        reversed_payment=True,
    )
    bounced = money_helpers.send(finance_officer, approver, second)
    grant_services.mark_failed(
        actor=finance_officer, disbursement=bounced, reason="R01"
    )
    stopped = grant_services.request_disbursement(
        actor=finance_officer, installment=third, method="check"
    )
    grant_services.cancel_disbursement(
        actor=finance_officer, disbursement=stopped, reason="Paid another way"
    )

    assert (
        entries(
            "grants.request_disbursement", actor=finance_officer, about=award
        ).count()
        == 3
    )
    for action, actor, payment in [
        ("grants.approve_disbursement", approver, paid),
        ("grants.approve_disbursement", approver, bounced),
        ("grants.mark_sent", finance_officer, paid),
        ("grants.mark_paid", finance_officer, paid),
        ("grants.reversed_disbursement", finance_officer, paid),
        ("grants.failed_disbursement", finance_officer, bounced),
        ("grants.cancel_disbursement", finance_officer, stopped),
    ]:
        assert entries(action, actor=actor, about=payment).count() == 1, action


def test_a_stripe_transfer_is_recorded_as_a_system_action(fake):
    payment = approved_stripe_payment(fake)

    send_stripe_transfer.enqueue(disbursement_id=payment.pk)

    assert (
        entries("grants.record_transfer_sent", actor=None, about=payment).count() == 1
    )


# Stripe webhook failures ------------------------------------------------------------


def test_a_refused_webhook_and_an_event_that_failed_are_recorded(
    client, fake, django_capture_on_commit_callbacks
):
    body = event_body("evt_1", "transfer.created", {"id": "tr_missing"})
    forged = client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, secret="whsec_attacker"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            WEBHOOK,
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(body),
        )

    assert (forged.status_code, accepted.status_code) == (400, 200)
    refused = entries("grants.refuse_stripe_webhook", actor=None).get()
    assert refused.data == {"reason": "Bad signature."}
    assert refused.content_type.model == "contenttype"
    event = StripeEvent.objects.get()
    assert event.outcome.startswith("ignored: Stripe refused")
    assert entries("grants.process_stripe_event", actor=None, about=event).count() == 1


def test_refused_webhooks_fill_the_audit_log_only_up_to_a_bound(
    client, fake, monkeypatch
):
    monkeypatch.setattr("grants.webhooks.REFUSALS_AUDITED_PER_HOUR", 2)
    for _attempt in range(4):
        client.post(WEBHOOK, data=b"{}", content_type="application/json")
    assert entries("grants.refuse_stripe_webhook", actor=None).count() == 2


# File downloads ---------------------------------------------------------------------


def test_every_kind_of_file_download_is_recorded(client, applicant, program_staff):
    panel, form, _rubric = make_panel()
    application = application_for(form)
    MembershipFactory(
        organization=application.organization, role="owner", user=applicant
    )
    attachment = make_attachment(application, field_id=file_field_id(form))
    reviewer = seat(panel).user
    ready_to_review(program_staff, panel, application, reviewer)

    client.force_login(applicant)
    own = client.get(
        reverse(
            "applications:attachment_download",
            kwargs={"public_id": application.public_id, "attachment_id": attachment.pk},
        )
    )
    login_verified(client, program_staff)
    screening = client.get(
        reverse("screening:download_attachment", args=[application.pk, attachment.pk])
    )
    login_verified(client, reviewer)
    review = client.get(
        reverse(
            "applications:review_file",
            kwargs={"public_id": application.public_id, "attachment_id": attachment.pk},
        )
    )

    assert (own.status_code, screening.status_code, review.status_code) == (
        200,
        200,
        200,
    )
    for actor in (applicant, program_staff, reviewer):
        assert (
            entries(
                "applications.download_attachment", actor=actor, about=application
            ).count()
            == 1
        )


# Exports ----------------------------------------------------------------------------


def test_application_and_ledger_exports_are_recorded(
    client, program_staff, finance_officer
):
    application_for(make_panel()[1])
    login_verified(client, program_staff)
    exported(client, "/admin/applications/", {"export": "csv"})
    login_verified(client, finance_officer)
    exported(client, "/admin/ledger/", {"export": "xlsx"})

    assert entries("applications.export_applications", actor=program_staff).exists()
    assert (
        entries("grants.export_ledger", actor=finance_officer).get().data["format"]
        == "xlsx"
    )


# Erasure ----------------------------------------------------------------------------


def test_an_erasure_is_recorded(administrator, settings, tmp_path):
    privacy = pytest.importorskip("applications.services.privacy")
    if not registry.action_exists("privacy.erase_person"):
        pytest.skip("The erasure action is not registered in this checkout.")
    settings.PORTAL_ERASURE_LOG = str(tmp_path / "erasure-log.jsonl")
    someone = person(email="erase.me@example.org")

    privacy.erase_person(actor=administrator, user=someone)

    assert entries("privacy.erase_person", actor=administrator, about=someone).exists()


# The audit trail report -------------------------------------------------------------


def listed(response):
    return response.context["object_list"]


def test_administrators_find_the_trail_under_reports_and_open_it(
    client, administrator, program_staff
):
    sign_in(client, program_staff)
    login_verified(client, administrator)

    home = client.get("/admin/")
    response = client.get(TRAIL)

    assert TRAIL in home.content.decode()
    assert response.status_code == 200
    assert client.get(f"{TRAIL}results/").status_code == 200
    assert "accounts.login" in {entry.action for entry in listed(response)}


def test_the_trail_filters_by_action_and_by_person(
    client, administrator, program_staff, finance_officer
):
    sign_in(client, program_staff)
    sign_in(client, finance_officer)
    login_verified(client, administrator)

    by_action = client.get(TRAIL, {"action": "accounts.login"})
    by_person = client.get(TRAIL, {"user": str(finance_officer.pk)})

    assert {entry.action for entry in listed(by_action)} == {"accounts.login"}
    assert {entry.user_id for entry in listed(by_action)} == {
        program_staff.pk,
        finance_officer.pk,
        administrator.pk,
    }
    assert {entry.user_id for entry in listed(by_person)} == {finance_officer.pk}
    assert len(listed(by_person)) >= 1


@pytest.fixture
def formula_entry(db):
    """An entry whose reference and whose person's display name look like formulas."""
    sneaky = UserFactory(first_name="=2+5", last_name="")
    return log(
        instance=sneaky,
        action="portal.permission_denied",
        user=sneaky,
        title='=HYPERLINK("http://example.net","open")',
        data={"url_name": "-attack", "method": "GET", "ids": {}},
    )


def test_csv_export_neutralises_formulas_and_is_itself_recorded(
    client, administrator, formula_entry
):
    login_verified(client, administrator)

    response = exported(client, TRAIL, {"export": "csv", "action": PERMISSION_DENIED})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Date/Time",
        "Action type",
        "Type",
        "ID",
        "Reference",
        "User number",
        "User",
        "Details",
    ]
    (row,) = rows[1:]
    assert row[4] == "'" + formula_entry.label
    assert row[5] == str(formula_entry.user_id)
    assert row[6] == "'=2+5"
    assert json.loads(row[7])["url_name"] == "-attack"
    export = entries(EXPORT_AUDIT_TRAIL, actor=administrator, about=administrator).get()
    assert export.data == {
        "format": "csv",
        "filters": {"action": [PERMISSION_DENIED]},
    }


def test_xlsx_export_neutralises_formulas_and_records_filters_without_typed_text(
    client, administrator, formula_entry
):
    login_verified(client, administrator)

    response = exported(client, TRAIL, {"export": "xlsx", "label": "HYPERLINK"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    (row,) = rows[1:]
    assert row[4] == "'" + formula_entry.label
    assert row[6] == "'=2+5"
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    export = entries(EXPORT_AUDIT_TRAIL, actor=administrator).get()
    assert export.data == {"format": "xlsx", "filters": {"label": "used"}}


def test_exports_of_the_trail_are_rate_limited(client, administrator, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "export": "1/h"}
    login_verified(client, administrator)

    exported(client, TRAIL, {"export": "csv"})
    second = client.get(TRAIL, {"export": "xlsx"})

    assert second.status_code == 429
    assert entries(EXPORT_AUDIT_TRAIL, actor=administrator).count() == 1


@pytest.mark.parametrize(
    "role", ["program_staff", "finance_officer", "comms_staff", "panelist", "applicant"]
)
def test_everyone_else_is_refused_the_trail_and_its_export(client, request, role):
    user = request.getfixturevalue(role)
    login_verified(client, user)

    for query in ({}, {"export": "csv"}, {"export": "xlsx"}):
        response = client.get(TRAIL, query)
        if response.status_code == 302:  # no admin access at all: sent to sign in
            assert response["Location"].startswith("/admin/login/")
        else:
            assert response.status_code == 404
    assert TRAIL not in client.get("/admin/").content.decode()
    assert not ModelLogEntry.objects.filter(action=EXPORT_AUDIT_TRAIL).exists()
    refusals = entries(PERMISSION_DENIED, actor=user)
    assert refusals.filter(data__url_name="portal_audit_trail").count() == 3
