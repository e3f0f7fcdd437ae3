"""Finance screens in the Wagtail admin: dashboard, awards, payments, ledger, exports."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from grants import ledger, services
from grants.models import (
    Award,
    Disbursement,
    Installment,
    LedgerEntry,
    Stipend,
)
from portal import roles
from tests.factories import (
    FundingRoundFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.helpers import exported, login_verified

pytestmark = pytest.mark.django_db


def refused(response):
    """Staff without the right are sent to the dashboard; others to sign in; or 403/404."""
    if response.status_code == 302:
        location = response["Location"]
        return location == "/admin/" or location.startswith("/admin/login/")
    return response.status_code in (403, 404)


@pytest.fixture
def second_finance(db):
    return UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True)


def accepted_award(program_staff, amount="30000.00", funding_round=None, title=None):
    """An accepted award with two installments: one overdue, one due in 10 days."""
    owner = MembershipFactory(role="owner")
    award = services.create_award(
        actor=program_staff,
        organization=owner.organization,
        funding_round=funding_round or FundingRoundFactory(),
        amount=Decimal(amount),
        public_title=title or "Peer support for survivors",
        public_summary="Weekly peer support circles led by survivors.",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    services.accept_award(actor=owner.user, award=award, signer_name="Amina Yusuf")
    half = (Decimal(amount) / 2).quantize(Decimal("0.01"))
    today = timezone.localdate()
    services.set_schedule(
        actor=program_staff,
        award=award,
        installments=[
            {"due_on": today - timedelta(days=5), "amount": half},
            {"due_on": today + timedelta(days=10), "amount": Decimal(amount) - half},
        ],
    )
    return award


def pay(award, requester, approver, *, fail=False):
    """Pay the first installment through every step (optionally failing it)."""
    first = award.installments.order_by("number").first()
    payment = services.request_disbursement(
        actor=requester, installment=first, method="manual_ach"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    services.mark_sent(actor=requester, disbursement=payment, reference="ACH 1")
    if fail:
        services.mark_failed(actor=requester, disbursement=payment, reason="Bounced")
    else:
        services.mark_paid(
            actor=requester, disbursement=payment, paid_on=timezone.localdate()
        )
    return payment


# Dashboard ------------------------------------------------------------------------


def test_dashboard_figures_match_the_ledger(
    client, program_staff, finance_officer, second_finance
):
    award = accepted_award(program_staff)
    other = accepted_award(program_staff, "20000.00")
    pay(award, finance_officer, second_finance)
    services.amend_award(
        actor=program_staff, award=other, amount=Decimal("25000.00"), reason="More"
    )
    login_verified(client, finance_officer)
    response = client.get("/admin/finance/")
    assert response.status_code == 200
    for row in response.context["rounds"]:
        funding_round = row["round"]
        entries = LedgerEntry.objects.filter(funding_round=funding_round)
        committed = sum(
            (e.amount for e in entries if e.account == "committed"), Decimal(0)
        )
        paid = sum((e.amount for e in entries if e.account == "paid"), Decimal(0))
        assert row["committed"] == committed == ledger.committed_in_round(funding_round)
        assert row["paid"] == paid
        assert row["remaining"] == funding_round.budget - committed
    content = response.content.decode()
    assert "<svg" in content
    assert "<title" in content
    assert "$15,000.00" in content  # paid on the first award's round
    # The paid installment is neither upcoming nor overdue; the others are.
    overdue = [r["installment"] for r in response.context["overdue"]]
    assert award.installments.get(number=1) not in overdue
    assert other.installments.get(number=1) in overdue
    upcoming = [r["installment"] for r in response.context["upcoming"]]
    assert {i.award_id for i in upcoming} == {award.pk, other.pk}


def _dashboard_data(program_staff, requester, approver, count):
    for index in range(count):
        award = accepted_award(program_staff)
        if index % 3 == 0:
            payment = pay(award, requester, approver, fail=True)
            Disbursement.objects.filter(pk=payment.pk).update(flagged="Amount differs")
        else:
            services.request_disbursement(
                actor=requester,
                installment=award.installments.get(number=1),
                method="check",
            )


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", ["/admin/finance/", "/admin/ledger/"])
def test_dashboard_and_ledger_run_in_a_constant_number_of_queries(
    client, program_staff, finance_officer, second_finance, url
):
    login_verified(client, finance_officer)
    _dashboard_data(program_staff, finance_officer, second_finance, 3)
    client.get(url)  # warm caches (content types, site, permissions)
    few = _count_queries(client, url)
    _dashboard_data(program_staff, finance_officer, second_finance, 27)
    many = _count_queries(client, url)
    assert few == many, (few, many)


def test_see_all_installments_lists_every_overdue_one(client, program_staff):
    award = accepted_award(program_staff)
    login_verified(client, program_staff)
    response = client.get("/admin/finance/installments/?due=overdue")
    assert response.status_code == 200
    assert [r["installment"] for r in response.context["rows"]] == [
        award.installments.get(number=1)
    ]


# Awards ---------------------------------------------------------------------------


def test_program_staff_create_an_award_through_the_service(client, program_staff):
    funding_round = FundingRoundFactory()
    organization = OrganizationFactory()
    login_verified(client, program_staff)
    assert client.get("/admin/awards/new/").status_code == 200
    data = {
        "organization": organization.pk,
        "funding_round": funding_round.pk,
        "amount": "20000.00",
        "public_title": "Housing navigation",
        "public_summary": "Survivor-led housing navigation.",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "conditions": "",
    }
    response = client.post("/admin/awards/new/", data)
    assert response.status_code == 302
    award = Award.objects.get()
    assert award.created_by == program_staff
    assert ledger.committed_in_round(funding_round) == Decimal("20000.00")
    # Over the round's largest award: a form error, nothing written.
    response = client.post("/admin/awards/new/", {**data, "amount": "60000.00"})
    assert response.status_code == 200
    assert "largest award" in response.content.decode()
    assert Award.objects.count() == 1


def test_award_index_filters_and_inspect(client, program_staff, finance_officer):
    award = accepted_award(program_staff, title="Peer support for survivors")
    other = accepted_award(program_staff, title="Housing navigation")
    login_verified(client, finance_officer)
    response = client.get("/admin/awards/", {"q": "Housing"})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [other]
    response = client.get("/admin/awards/", {"funding_round": award.funding_round_id})
    assert list(response.context["object_list"]) == [award]
    response = client.get("/admin/awards/", {"status": "rescinded"})
    assert list(response.context["object_list"]) == []
    response = client.get(f"/admin/awards/inspect/{award.pk}/")
    assert response.status_code == 200
    rows = response.context["ledger_rows"]
    assert rows[-1]["committed"] == ledger.committed_to_award(award)
    assert [r["status"] for r in response.context["installments"]] == [
        "Not asked for yet",
        "Not asked for yet",
    ]
    assert f"/admin/awards/inspect/{award.pk}/installments/" in (
        response.content.decode()
    )


def test_program_staff_amend_rescind_and_schedule_through_the_services(
    client, program_staff
):
    award = accepted_award(program_staff)
    login_verified(client, program_staff)
    base = f"/admin/awards/inspect/{award.pk}"
    response = client.post(
        f"{base}/amend/", {"amount": "36000.00", "reason": "Second site"}
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.amount == Decimal("36000.00")
    assert LedgerEntry.objects.filter(
        award=award, kind="adjustment", amount=Decimal("6000.00")
    ).exists()

    # A schedule that does not add up: the service's message, nothing changed.
    def rows(*items):
        data = {
            "installments-TOTAL_FORMS": str(len(items)),
            "installments-INITIAL_FORMS": "0",
            "installments-MIN_NUM_FORMS": "0",
            "installments-MAX_NUM_FORMS": "1000",
        }
        for index, (due, amount) in enumerate(items):
            data[f"installments-{index}-due_on"] = due
            data[f"installments-{index}-amount"] = amount
            data[f"installments-{index}-condition"] = ""
        return data

    assert client.get(f"{base}/schedule/").status_code == 200
    response = client.post(f"{base}/schedule/", rows(("2027-02-01", "100.00")))
    assert response.status_code == 200
    assert "add up to" in response.content.decode()
    assert award.installments.count() == 2
    response = client.post(
        f"{base}/schedule/",
        rows(("2027-02-01", "16000.00"), ("2027-06-01", "20000.00"), ("", "")),
    )
    assert response.status_code == 302, response.content.decode()
    assert list(award.installments.values_list("amount", flat=True)) == [
        Decimal("16000.00"),
        Decimal("20000.00"),
    ]

    response = client.post(f"{base}/rescind/", {"reason": "Organization closed"})
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.RESCINDED
    assert ledger.committed_to_award(award) == Decimal("0.00")


def test_finance_cannot_amend_and_program_staff_cannot_pay(
    client, program_staff, finance_officer
):
    award = accepted_award(program_staff)
    installment = award.installments.get(number=1)
    login_verified(client, finance_officer)
    base = f"/admin/awards/inspect/{award.pk}"
    assert client.post(f"{base}/amend/", {"amount": "1", "reason": "x"}).status_code
    assert (
        client.post(f"{base}/amend/", {"amount": "40000", "reason": "x"}).status_code
        == 404
    )
    login_verified(client, program_staff)
    url = f"{base}/installments/{installment.pk}/pay/"
    assert client.post(url, {"method": "check"}).status_code == 404
    award.refresh_from_db()
    assert award.amount == Decimal("30000.00")
    assert not Disbursement.objects.exists()


def test_an_installment_of_another_award_is_404(client, program_staff, finance_officer):
    award = accepted_award(program_staff)
    other = accepted_award(program_staff)
    login_verified(client, finance_officer)
    url = (
        f"/admin/awards/inspect/{award.pk}/installments/"
        f"{other.installments.first().pk}/pay/"
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"method": "check"}).status_code == 404
    assert not Disbursement.objects.exists()


# Payments -------------------------------------------------------------------------


def test_a_payment_goes_through_every_step_with_dual_control(
    client, program_staff, finance_officer, second_finance
):
    award = accepted_award(program_staff)
    installment = award.installments.get(number=1)
    login_verified(client, finance_officer)
    url = f"/admin/awards/inspect/{award.pk}/installments/{installment.pk}/pay/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"method": "stripe"})
    assert "Stripe is not set up" in response.content.decode()
    assert client.post(url, {"method": "manual_ach"}).status_code == 302
    payment = Disbursement.objects.get()
    assert payment.requested_by == finance_officer
    # The same payment twice: refused kindly.
    response = client.post(url, {"method": "manual_ach"})
    assert response.status_code == 200
    assert "already" in response.content.decode()

    base = f"/admin/disbursements/inspect/{payment.pk}"
    assert client.get(f"{base}/").status_code == 200
    response = client.post(f"{base}/approve/")
    assert response.status_code == 200
    assert (
        "Someone other than the person who asked for this payment must approve it"
        in response.content.decode()
    )
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.REQUESTED

    login_verified(client, second_finance)
    assert client.post(f"{base}/approve/").status_code == 302
    payment.refresh_from_db()
    assert payment.approved_by == second_finance

    response = client.post(f"{base}/sent/", {"reference": "ACH 0042"})
    assert response.status_code == 302
    assert client.get(f"{base}/paid/").status_code == 200
    response = client.post(
        f"{base}/paid/", {"paid_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.PAID
    assert ledger.paid_on_award(award) == Decimal("15000.00")

    response = client.post(
        f"{base}/failed/", {"reason": "Reversed by bank", "reversed_payment": "on"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.REVERSED
    assert ledger.paid_on_award(award) == Decimal("0.00")


def test_a_payment_not_sent_can_be_cancelled(
    client, program_staff, finance_officer, second_finance
):
    award = accepted_award(program_staff)
    payment = services.request_disbursement(
        actor=finance_officer,
        installment=award.installments.get(number=1),
        method="check",
    )
    login_verified(client, second_finance)
    response = client.post(
        f"/admin/disbursements/inspect/{payment.pk}/cancel/", {"reason": "Wrong"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.CANCELLED
    # A paid-state action on a cancelled payment: a clear message, nothing written.
    response = client.post(
        f"/admin/disbursements/inspect/{payment.pk}/sent/", {"reference": "1"}
    )
    assert response.status_code == 200
    assert "cannot be done now" in response.content.decode()
    assert not LedgerEntry.objects.filter(account="paid").exists()


def test_disbursement_index_filters(
    client, program_staff, finance_officer, second_finance
):
    award = accepted_award(program_staff)
    failed = pay(award, finance_officer, second_finance, fail=True)
    login_verified(client, finance_officer)
    response = client.get("/admin/disbursements/", {"status": "failed"})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [failed]
    response = client.get("/admin/disbursements/", {"status": "paid"})
    assert list(response.context["object_list"]) == []


def test_stipends_are_paid_and_totalled_per_person_and_year(
    client, finance_officer, second_finance, panelist
):
    stipend = Stipend.objects.create(
        panelist=panelist, funding_round=FundingRoundFactory(), amount=Decimal("640")
    )
    login_verified(client, finance_officer)
    response = client.get(f"/admin/stipends/inspect/{stipend.pk}/")
    assert f"/admin/stipends/inspect/{stipend.pk}/pay/" in response.content.decode()
    url = f"/admin/stipends/inspect/{stipend.pk}/pay/"
    response = client.post(url, {"method": "manual_ach"})
    assert response.status_code == 200  # not a stipend method
    assert client.post(url, {"method": "check"}).status_code == 302
    payment = Disbursement.objects.get(stipend=stipend)
    services.approve_disbursement(actor=second_finance, disbursement=payment)
    services.mark_sent(actor=finance_officer, disbursement=payment, reference="Chk 7")
    services.mark_paid(
        actor=finance_officer, disbursement=payment, paid_on=timezone.localdate()
    )
    response = client.get("/admin/finance/stipend-totals/")
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["total"] == Decimal("640.00")
    assert row["year"] == timezone.localdate().year
    assert row["over_threshold"]
    assert "may need a tax form" in response.content.decode()


# Ledger ---------------------------------------------------------------------------


def test_ledger_is_read_only_with_totals_of_the_filtered_rows(
    client, program_staff, finance_officer, second_finance
):
    award = accepted_award(program_staff)
    accepted_award(program_staff)
    pay(award, finance_officer, second_finance)
    login_verified(client, finance_officer)
    response = client.get("/admin/ledger/", {"award": award.pk})
    assert response.status_code == 200
    totals = {t["label"]: t["total"] for t in response.context["account_totals"]}
    assert totals["Committed"] == Decimal("30000.00")
    assert totals["Paid"] == Decimal("15000.00")
    response = client.get("/admin/ledger/", {"account": "paid"})
    assert len(response.context["object_list"]) == 1
    entry = LedgerEntry.objects.first()
    for url in [
        "/admin/ledger/new/",
        f"/admin/ledger/edit/{entry.pk}/",
        f"/admin/ledger/delete/{entry.pk}/",
        f"/admin/ledger/copy/{entry.pk}/",
    ]:
        assert client.get(url).status_code == 404, url


def test_exports_are_formula_safe_and_keep_numbers(
    client, program_staff, finance_officer
):
    funding_round = FundingRoundFactory(title='=HYPERLINK("http://x")')
    award = accepted_award(program_staff, funding_round=funding_round)
    services.amend_award(
        actor=program_staff,
        award=award,
        amount=Decimal("31000.00"),
        reason="=1+2",
    )
    login_verified(client, finance_officer)
    response = exported(client, "/admin/ledger/", {"export": "csv"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Row"
    memos = [row[-1] for row in rows[1:]]
    assert "'=1+2" in memos
    assert all(row[2].startswith("'=HYPERLINK") for row in rows[1:])
    assert "1000.00" in [row[6] for row in rows[1:]]

    response = exported(client, "/admin/ledger/", {"export": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert "'=1+2" in [row[-1] for row in values]
    assert all(row[2].startswith("'=HYPERLINK") for row in values)
    assert all(isinstance(row[6], (int, float)) for row in values)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


# Everyone else --------------------------------------------------------------------


def _urls(award, installment, payment, stipend):
    base = f"/admin/awards/inspect/{award.pk}"
    pay_base = f"/admin/disbursements/inspect/{payment.pk}"
    return [
        "/admin/finance/",
        "/admin/finance/installments/?due=overdue",
        "/admin/finance/stipend-totals/",
        "/admin/awards/",
        "/admin/awards/new/",
        f"{base}/",
        f"{base}/amend/",
        f"{base}/rescind/",
        f"{base}/schedule/",
        f"{base}/installments/{installment.pk}/pay/",
        "/admin/disbursements/",
        f"{pay_base}/",
        f"{pay_base}/approve/",
        f"{pay_base}/sent/",
        f"{pay_base}/paid/",
        f"{pay_base}/failed/",
        f"{pay_base}/cancel/",
        "/admin/ledger/",
        "/admin/ledger/?export=csv",
        "/admin/ledger/?export=xlsx",
        f"/admin/stipends/inspect/{stipend.pk}/pay/",
    ]


@pytest.mark.parametrize("role", ["comms_staff", "applicant", "panelist"])
def test_other_roles_are_refused_on_every_finance_url_and_write_nothing(
    client, request, role, program_staff, finance_officer
):
    award = accepted_award(program_staff)
    installment = award.installments.get(number=2)
    payment = services.request_disbursement(
        actor=finance_officer,
        installment=award.installments.get(number=1),
        method="check",
    )
    stipend = Stipend.objects.create(
        panelist=UserFactory(),
        funding_round=award.funding_round,
        amount=Decimal("100"),
    )
    counts = (LedgerEntry.objects.count(), Disbursement.objects.count())
    login_verified(client, request.getfixturevalue(role))
    post = {
        "amount": "40000.00",
        "reason": "x",
        "reference": "x",
        "paid_on": "2020-01-01",
        "method": "check",
        "organization": award.organization_id,
        "funding_round": award.funding_round_id,
        "public_title": "x",
        "public_summary": "x",
        "starts_on": "2027-01-01",
        "ends_on": "2027-02-01",
    }
    for url in _urls(award, installment, payment, stipend):
        response = client.get(url)
        assert refused(response), (role, url, response.status_code)
        assert not response.streaming, (role, url)
        assert refused(client.post(url, post)), (role, url)
    award.refresh_from_db()
    payment.refresh_from_db()
    stipend.refresh_from_db()
    assert award.amount == Decimal("30000.00")
    assert award.status == Award.Status.ACCEPTED
    assert payment.status == Disbursement.Status.REQUESTED
    assert stipend.status == Stipend.Status.PENDING
    assert Award.objects.count() == 1
    assert Installment.objects.count() == 2
    assert (LedgerEntry.objects.count(), Disbursement.objects.count()) == counts


def test_finance_menu_item_shows_for_money_roles_only(
    client, finance_officer, comms_staff
):
    login_verified(client, finance_officer)
    menu = '"url": "/admin/finance/"'
    assert menu in client.get("/admin/").content.decode()
    login_verified(client, comms_staff)
    assert menu not in client.get("/admin/").content.decode()


def test_exporting_the_ledger_is_written_in_the_audit_log(client, finance_officer):
    from wagtail.models import ModelLogEntry

    login_verified(client, finance_officer)
    response = exported(client, "/admin/ledger/?export=csv")
    b"".join(response.streaming_content)
    entry = ModelLogEntry.objects.get(action="grants.export_ledger")
    assert entry.user_id == finance_officer.pk
    assert entry.data["format"] == "csv"
