"""The authorization matrix: every URL that takes an object id, for every role.

tests/test_object_urls.py lists every object-id URL of the project and names the
refusal test of each. This module requests each of those URLs with real objects of
the seeded demo, once per role, and checks the outcome the design (DESIGN.md section
2) promises: the people who may see or do a thing get the page, everyone else is
refused, and a refused POST writes nothing.

Reading the table (MATRIX below), one letter per role:

    A  allowed: 200, or the view's normal redirect (never to a sign-in page or the
       admin dashboard)
    D  denied: a signed-out visitor is sent to sign in; a signed-in person gets 404 on
       portal pages (no existence oracle) and, in the Wagtail admin, the admin's
       refusal (redirect to the dashboard or sign-in, 403 or 404), as the refusal
       tests named in tests/test_object_urls.py accept. A POST is then sent too and
       must write nothing.
    T  a live invitation token addressed to someone else: the page explains that the
       invitation is not theirs, and a POST writes nothing.

An inactive account is treated as signed out: its column always equals the anonymous
one. To make that a real test, the inactive person of each row is the first person
allowed on that row (owner, panelist, chair, staff, finance, comms, administrator in
that order), signed in and then deactivated.

Below the matrix: URLs with two ids are tried with a parent the outsider owns and a
child of the owner's, and starting an application is tried for an organization the
person does not belong to.
"""

import hashlib
import re
from decimal import Decimal
from functools import cached_property

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.urls import get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from wagtail.models import ModelLogEntry, PageLogEntry

from applications import services as application_services
from applications.models import Application, Assignment, Panel, Review
from applications.services import data_export as data_export_services
from applications.views.applying import ELIGIBLE_SESSION_KEY
from cms.models import HomePage
from grants import services as grants_services
from grants.models import (
    Award,
    Disbursement,
    FundingRound,
    HiringReport,
    Organization,
    Stipend,
)
from portal import spreadsheet_exports
from portal.accounts import tokens
from portal.models import User
from tests.helpers import login_verified
from tests.test_object_urls import COVERED, _object_urls, ours

pytestmark = pytest.mark.django_db

PEOPLE = {
    "owner": "applicant@demo.test",
    "outsider": "applicant2@demo.test",
    "panelist": "panelist@demo.test",
    "panelist2": "panelist2@demo.test",
    "chair": "chair@demo.test",
    "staff": "staff@demo.test",
    "finance": "finance@demo.test",
    "comms": "comms@demo.test",
    "admin": "admin@demo.test",
}
ROLES = ["anon", *PEOPLE, "inactive"]

# The demo objects each row is requested with (see Demo below):
#   application  R2-0004 "Safe spaces for young women in Phillips": eligible, owned by
#                applicant@ (Phillips Community Healing Project); assigned to
#                panelist@ (no conflict, draft review) and to chair@ (submitted);
#                panelist2@ sits on the same panel but is not assigned to it
#   award        the Northside award (applicant@'s organization) and its report no. 1
#   panel        the 2026 panel; chair@ chairs it, panelist@ and panelist2@ sit on it
#
# Columns: an=anonymous, ow=owner (applicant@), ou=applicant of another organization
# (applicant2@), pa=assigned panelist (panelist@), p2=panelist on the panel but not
# assigned (panelist2@), ch=panel chair (chair@), st=program staff, fi=finance staff,
# co=communications staff, ad=administrator (superuser), in=inactive account.
MATRIX = {
    #                                           an ow ou pa p2 ch st fi co ad in
    # Signed links: whoever holds the link may open it (the refusal is a tampered or
    # used link, tested where COVERED says).
    "accounts:confirm_email":                  "A  A  A  A  A  A  A  A  A  A  A",
    "accounts:confirm_email_change":           "A  A  A  A  A  A  A  A  A  A  A",
    "accounts:password_reset_confirm":         "A  A  A  A  A  A  A  A  A  A  A",
    # The applicant's own application pages: members of its organization only.
    # Staff read applications in the screening admin, panelists through the
    # blinded review page; the administrator sees everything.
    "applications:task_list":                  "D  A  D  D  D  D  D  D  D  A  D",
    "applications:section":                    "D  A  D  D  D  D  D  D  D  A  D",
    "applications:check":                      "D  A  D  D  D  D  D  D  D  A  D",
    "applications:receipt":                    "D  A  D  D  D  D  D  D  D  A  D",
    "applications:print":                      "D  A  D  D  D  D  D  D  D  A  D",
    "applications:withdraw":                   "D  A  D  D  D  D  D  D  D  A  D",
    "applications:attachment_download":        "D  A  D  D  D  D  D  D  D  A  D",
    # A published round: anyone reads about it; the quiz needs an account.
    "applications:start":                      "A  A  A  A  A  A  A  A  A  A  A",
    "applications:eligibility":                "D  A  A  A  A  A  A  A  A  A  D",
    # Reviewing: only the people assigned to the application.
    "applications:review":                     "D  D  D  A  D  A  D  D  D  D  D",
    "applications:review_conflict":            "D  D  D  A  D  A  D  D  D  D  D",
    "applications:review_file":                "D  D  D  A  D  A  D  D  D  D  D",
    # A panel member's own page for the panel (their seat, hours, pause).
    "applications:panel_detail":               "D  D  D  A  A  A  D  D  D  D  D",
    "applications:panel_pause":                "D  D  D  A  A  A  D  D  D  D  D",
    # Deliberation: the panel's chair and program staff.
    "applications:panel_meeting":              "D  D  D  D  D  A  A  D  D  A  D",
    "applications:panel_recommend":            "D  D  D  D  D  A  A  D  D  A  D",
    "applications:review_reopen":              "D  D  D  D  D  A  A  D  D  A  D",
    # Joining a panel: the link itself lets a new person make an account.
    "applications:panel_invitation":           "A  T  T  T  T  T  T  T  T  T  A",
    # A copy of everything an organization gave us: its owners only.
    "applications:your_data":                  "D  A  D  D  D  D  D  D  D  D  D",
    "applications:your_data_download":         "D  A  D  D  D  D  D  D  D  D  D",
    # A staff spreadsheet export (made by program staff): for that person alone.
    "portal_spreadsheet_export_download":      "D  D  D  D  D  D  A  D  D  D  D",
    # Signing someone out everywhere and erasing personal data: administrators.
    "accounts_end_sessions":                   "D  D  D  D  D  D  D  D  D  A  D",
    "privacy_erase_person":                    "D  D  D  D  D  D  D  D  D  A  D",
    "privacy_erase_organization":              "D  D  D  D  D  D  D  D  D  A  D",
    # Organizations: their members (owners manage), and the administrator.
    "grants:organization_detail":              "D  A  D  D  D  D  D  D  D  A  D",
    "grants:organization_edit":                "D  A  D  D  D  D  D  D  D  A  D",
    "grants:member_invite":                    "D  A  D  D  D  D  D  D  D  A  D",
    "grants:invitation_revoke":                "D  A  D  D  D  D  D  D  D  A  D",
    "grants:member_remove":                    "D  A  D  D  D  D  D  D  D  A  D",
    # Only an owner who belongs to the organization hands ownership on.
    "grants:ownership_transfer":               "D  A  D  D  D  D  D  D  D  D  D",
    "grants:invitation_accept":                "D  T  T  T  T  T  T  T  T  T  D",
    # The grantee's pages: finance reads awards in the admin, and nobody outside
    # the organization reads a report's narrative here.
    "grants:award_detail":                     "D  A  D  D  D  D  D  D  D  A  D",
    "grants:report_detail":                    "D  A  D  D  D  D  D  D  D  A  D",
    "payments:payee_start":                    "D  A  D  D  D  D  D  D  D  A  D",
    "payments:payee_return":                   "D  A  D  D  D  D  D  D  D  A  D",
    "payments:payee_refresh":                  "D  A  D  D  D  D  D  D  D  A  D",
    # Application forms, funds, rounds and rubrics: program staff configure them
    # (without deleting); finance may look at a fund or round (budgets), not at its
    # editing history or where it is used.
    "application_forms:edit":                  "D  D  D  D  D  D  A  D  D  A  D",
    "application_forms:delete":                "D  D  D  D  D  D  D  D  D  A  D",
    "application_forms:history":               "D  D  D  D  D  D  A  D  D  A  D",
    "application_forms:history_results":       "D  D  D  D  D  D  A  D  D  A  D",
    "application_forms:usage":                 "D  D  D  D  D  D  A  D  D  A  D",
    "funds:edit":                              "D  D  D  D  D  D  A  D  D  A  D",
    "funds:delete":                            "D  D  D  D  D  D  D  D  D  A  D",
    "funds:history":                           "D  D  D  D  D  D  A  D  D  A  D",
    "funds:history_results":                   "D  D  D  D  D  D  A  D  D  A  D",
    "funds:usage":                             "D  D  D  D  D  D  A  D  D  A  D",
    "funds:inspect":                           "D  D  D  D  D  D  A  A  D  A  D",
    "funding_rounds:edit":                     "D  D  D  D  D  D  A  D  D  A  D",
    "funding_rounds:delete":                   "D  D  D  D  D  D  D  D  D  A  D",
    "funding_rounds:history":                  "D  D  D  D  D  D  A  D  D  A  D",
    "funding_rounds:history_results":          "D  D  D  D  D  D  A  D  D  A  D",
    "funding_rounds:usage":                    "D  D  D  D  D  D  A  D  D  A  D",
    "funding_rounds:inspect":                  "D  D  D  D  D  D  A  A  D  A  D",
    "rubrics:edit":                            "D  D  D  D  D  D  A  D  D  A  D",
    "rubrics:history":                         "D  D  D  D  D  D  A  D  D  A  D",
    "rubrics:history_results":                 "D  D  D  D  D  D  A  D  D  A  D",
    "rubrics:usage":                           "D  D  D  D  D  D  A  D  D  A  D",
    # Screening and decisions: program staff only (finance never reads answers).
    "screening:inspect":                       "D  D  D  D  D  D  A  D  D  A  D",
    "screening:download_attachment":           "D  D  D  D  D  D  A  D  D  A  D",
    "screening:change_status":                 "D  D  D  D  D  D  A  D  D  A  D",
    "screening:request_information":           "D  D  D  D  D  D  A  D  D  A  D",
    "screening:add_note":                      "D  D  D  D  D  D  A  D  D  A  D",
    "screening:record_decision":               "D  D  D  D  D  D  A  D  D  A  D",
    # Running panels in the admin: program staff (chairs deliberate in the portal).
    "panels:edit":                             "D  D  D  D  D  D  A  D  D  A  D",
    "panels:history":                          "D  D  D  D  D  D  A  D  D  A  D",
    "panels:history_results":                  "D  D  D  D  D  D  A  D  D  A  D",
    "panels:inspect":                          "D  D  D  D  D  D  A  D  D  A  D",
    "panels:invite":                           "D  D  D  D  D  D  A  D  D  A  D",
    "panels:revoke_invitation":                "D  D  D  D  D  D  A  D  D  A  D",
    "panels:stipend_rate":                     "D  D  D  D  D  D  A  D  D  A  D",
    "panels:remove_member":                    "D  D  D  D  D  D  A  D  D  A  D",
    "panels:auto_assign":                      "D  D  D  D  D  D  A  D  D  A  D",
    "panels:assign":                           "D  D  D  D  D  D  A  D  D  A  D",
    "panels:unassign":                         "D  D  D  D  D  D  A  D  D  A  D",
    "panels:content_note":                     "D  D  D  D  D  D  A  D  D  A  D",
    "panels:send_stipends":                    "D  D  D  D  D  D  A  D  D  A  D",
    "panels:ranking":                          "D  D  D  D  D  D  A  D  D  A  D",
    # Awards: program staff make and amend them, set schedules and hiring terms;
    # finance reads them and asks for payments.
    "awards:inspect":                          "D  D  D  D  D  D  A  A  D  A  D",
    "awards:amend":                            "D  D  D  D  D  D  A  D  D  A  D",
    "awards:rescind":                          "D  D  D  D  D  D  A  D  D  A  D",
    "awards:schedule":                         "D  D  D  D  D  D  A  D  D  A  D",
    "awards:commitment":                       "D  D  D  D  D  D  A  D  D  A  D",
    "awards:report_schedule":                  "D  D  D  D  D  D  A  D  D  A  D",
    "awards:request_payment":                  "D  D  D  D  D  D  D  A  D  A  D",
    # Money moves only through finance; program staff may look.
    "disbursements:inspect":                   "D  D  D  D  D  D  A  A  D  A  D",
    "disbursements:approve":                   "D  D  D  D  D  D  D  A  D  A  D",
    "disbursements:mark_sent":                 "D  D  D  D  D  D  D  A  D  A  D",
    "disbursements:mark_paid":                 "D  D  D  D  D  D  D  A  D  A  D",
    "disbursements:mark_failed":               "D  D  D  D  D  D  D  A  D  A  D",
    "disbursements:cancel":                    "D  D  D  D  D  D  D  A  D  A  D",
    "stipends:inspect":                        "D  D  D  D  D  D  A  A  D  A  D",
    "stipends:pay":                            "D  D  D  D  D  D  D  A  D  A  D",
    # Progress reports: program staff verify; finance never reads the narrative.
    "hiring_reports:inspect":                  "D  D  D  D  D  D  A  D  D  A  D",
    "hiring_reports:verify":                   "D  D  D  D  D  D  A  D  D  A  D",
    "hiring_reports:return":                   "D  D  D  D  D  D  A  D  D  A  D",
    # Translating pages: communications staff (and the administrator).
    "simple_translation:submit_page_translation": "D  D  D  D  D  D  D  D  A  A  D",
    # No snippet of this project is translatable, so there is no object to
    # translate: everyone gets 404.
    "simple_translation:submit_snippet_translation": "D  D  D  D  D  D  D  D  D  D  D",
}  # fmt: skip

# Cells where the code does not do what the design says. Each stays in the matrix,
# expected to fail until the bug is fixed.
KNOWN_BUGS: dict[tuple[str, str], str] = {}

# Views that only accept POST: their allowed cells are checked with a POST.
POST_ONLY = {"applications:panel_pause", "applications:review_reopen"}

# What an allowed page must still keep back from that role. The demo application's
# organization and its identifying answer (the project lead) stay hidden on a blind
# panel; finance reads no application answers; a reviewer's file has a neutral name.
ORGANIZATION = "Phillips Community Healing Project"
LEAD = "Amina at Phillips Community Healing Project"
ANSWER = "Weekly peer support circles"
FILE_NAME = "budget-2027"
HIDDEN = {
    ("applications:review", "panelist"): [ORGANIZATION, LEAD],
    ("applications:review", "chair"): [ORGANIZATION, LEAD],
    ("applications:review_file", "panelist"): [FILE_NAME, ORGANIZATION],
    ("applications:review_file", "chair"): [FILE_NAME, ORGANIZATION],
    ("applications:panel_meeting", "chair"): [ORGANIZATION, LEAD, ANSWER],
    ("applications:panel_recommend", "chair"): [ORGANIZATION, LEAD],
    ("awards:inspect", "finance"): [ANSWER, LEAD],
    ("funding_rounds:inspect", "finance"): [ANSWER, LEAD],
    ("disbursements:inspect", "finance"): [ANSWER, LEAD],
}

ALLOW_ORDER = ["owner", "panelist", "chair", "staff", "finance", "comms", "admin"]

# One body that looks plausible to every form, for the POSTs of refused cells.
POST_BODY = {
    "title": "Taken over",
    "name": "Taken over",
    "reason": "x",
    "comment": "x",
    "text": "x",
    "message": "x",
    "version": "0",
    "amount": "1.00",
    "email": "taken-over@example.org",
    "role": "owner",
    "has_conflict": "False",
    "recommendation": "fund",
    "outcome": "award",
    "method": "manual_ach",
    "reference": "x",
    "paid_on": "2020-01-01",
    "signer_name": "Someone else",
    "accept": "1",
    "hours": "1",
    "worked_on": "2020-01-01",
    "activity": "x",
    "content_note": "x",
    "stipend_rate": "1.00",
    "rate": "1.00",
    "status": "eligible",
    "to_status": "eligible",
    "locales": ["1", "2", "3"],
}


def _cells():
    for name, row in MATRIX.items():
        letters = row.split()
        assert len(letters) == len(ROLES), name
        for role, expected in zip(ROLES, letters, strict=True):
            marks = ()
            if (name, role) in KNOWN_BUGS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name, role])
            yield pytest.param(name, role, expected, id=f"{name}-{role}", marks=marks)


def _object_url_names() -> set:
    return {name for name, _ in _object_urls(get_resolver().url_patterns) if ours(name)}


def test_the_matrix_has_a_row_for_every_object_url():
    assert set(MATRIX) == set(COVERED) == _object_url_names()


def test_an_inactive_account_is_treated_as_signed_out_in_every_row():
    for name, row in MATRIX.items():
        letters = row.split()
        assert letters[-1] == letters[0], name


# Objects -------------------------------------------------------------------------


class Demo:
    """Named objects of the seeded demo, found by natural keys, never by ids."""

    def user(self, role) -> User:
        return User.objects.get(email=PEOPLE[role])

    @cached_property
    def application(self):
        return Application.objects.get(title="Safe spaces for young women in Phillips")

    @cached_property
    def attachment(self):
        return self.application.attachments.order_by("pk").first()

    @cached_property
    def organization(self):
        return self.application.organization

    @cached_property
    def owner_membership(self):
        return self.organization.memberships.get(user__email=PEOPLE["owner"])

    @cached_property
    def open_round(self):
        return FundingRound.objects.get(reference_prefix="R3")

    @cached_property
    def panel(self):
        return Panel.objects.get(funding_round__reference_prefix="R2")

    @cached_property
    def seat(self):
        return self.panel.members.get(user__email=PEOPLE["panelist"])

    @cached_property
    def assignment(self):
        return Assignment.objects.get(
            application=self.application, panelist__email=PEOPLE["panelist"]
        )

    @cached_property
    def review_to_reopen(self):
        """panelist2@'s submitted review, in the chair's panel."""
        return Review.objects.get(
            assignment__panelist__email=PEOPLE["panelist2"],
            assignment__application__title=(
                "Peer mentors for people leaving exploitation"
            ),
        )

    @cached_property
    def award(self):
        """The Northside award that came out of the demo panel's decision."""
        return Application.objects.get(title="Survivor-led healing circles").award

    @cached_property
    def report(self):
        return self.award.hiring_reports.get(number=1)

    @cached_property
    def payable_award(self):
        """Last year's Northside award: four reports verified, second part unpaid."""
        return Award.objects.get(public_title="Peer advocates in North Minneapolis")

    @cached_property
    def payable_installment(self):
        return self.payable_award.installments.get(number=2)

    @cached_property
    def requested_payment(self):
        """Asked for by finance@: finance2@ is the second pair of eyes."""
        return Disbursement.objects.get(
            status=Disbursement.Status.REQUESTED, installment__award=self.award
        )

    @cached_property
    def payment_to_approve(self):
        """Asked for by finance2@, so finance@ may approve it (dual control)."""
        return grants_services.request_disbursement(
            actor=User.objects.get(email="finance2@demo.test"),
            installment=self.payable_installment,
            method="manual_ach",
        )

    @cached_property
    def approved_payment(self):
        return grants_services.approve_disbursement(
            actor=User.objects.get(email="finance2@demo.test"),
            disbursement=self.requested_payment,
        )

    @cached_property
    def sent_payment(self):
        return Disbursement.objects.get(status=Disbursement.Status.SENT)

    @cached_property
    def stipend(self):
        return Stipend.objects.get(panelist__email=PEOPLE["panelist"])

    @cached_property
    def submitted_report(self):
        return HiringReport.objects.get(status=HiringReport.Status.SUBMITTED)

    @cached_property
    def organization_invitation(self):
        return grants_services.invite_member(
            actor=self.user("owner"),
            organization=self.organization,
            email="new.colleague@example.org",
            role="editor",
        )

    @cached_property
    def panel_invitation(self):
        return application_services.invite_panel_member(
            actor=self.user("staff"),
            panel=self.panel,
            email="new.reviewer@example.org",
            role="panelist",
            stipend_rate=Decimal("40.00"),
        )

    @cached_property
    def data_export(self):
        """A finished copy of the organization's data, asked for by its owner."""
        export = data_export_services.request_data_export(
            actor=self.user("owner"), organization=self.organization
        )
        return data_export_services.build_data_export(export=export)

    @cached_property
    def spreadsheet_export(self):
        """A finished export of the applications listing, asked for by staff@."""
        export = spreadsheet_exports.request_spreadsheet_export(
            actor=self.user("staff"),
            path="/admin/applications/?export=csv",
            title="Applications",
            filename="applications",
        )
        return spreadsheet_exports.build_spreadsheet_export(export_id=export.pk)

    @cached_property
    def stranger(self):
        """Someone outside every role, whose signed links the rows open."""
        return User.objects.create_user(
            email="stranger@example.org", password="a-long-test-password"
        )

    @cached_property
    def page(self):
        return HomePage.objects.get(locale__language_code="en")


# Each object-id URL's keyword arguments, from the kwarg names in its route. `pk`
# depends on the viewset; a few rows need a particular object in a particular state.
BY_KWARG = {
    "public_id": lambda d: d.application.public_id,
    "attachment_id": lambda d: d.attachment.pk,
    "section_id": lambda d: "about",
    "round_id": lambda d: d.open_round.pk,
    "panel_id": lambda d: d.panel.pk,
    "review_id": lambda d: d.review_to_reopen.pk,
    "award_id": lambda d: d.award.pk,
    "report_id": lambda d: d.report.pk,
    "organization_id": lambda d: d.organization.pk,
    "invitation_pk": lambda d: d.organization_invitation.pk,
    "membership_pk": lambda d: d.owner_membership.pk,
    "installment_id": lambda d: d.payable_installment.pk,
    "membership_id": lambda d: d.seat.pk,
    "invitation_id": lambda d: d.panel_invitation.pk,
    "assignment_id": lambda d: d.assignment.pk,
    "application_id": lambda d: d.application.pk,
    "page_id": lambda d: d.page.pk,
    "export_id": lambda d: d.data_export.pk,
}
PK_BY_NAMESPACE = {
    "applications": lambda d: d.organization.pk,
    "application_forms": lambda d: d.application.funding_round.application_form.pk,
    "funds": lambda d: d.application.funding_round.fund_id,
    "funding_rounds": lambda d: d.application.funding_round_id,
    "rubrics": lambda d: d.application.funding_round.rubric.pk,
    "screening": lambda d: d.application.pk,
    "panels": lambda d: d.panel.pk,
    "grants": lambda d: d.organization.pk,
    "awards": lambda d: d.award.pk,
    "disbursements": lambda d: d.requested_payment.pk,
    "stipends": lambda d: d.stipend.pk,
    "hiring_reports": lambda d: d.submitted_report.pk,
}
BY_NAME = {
    "accounts:confirm_email": lambda d: {
        "token": tokens.make_confirmation_token(d.stranger)
    },
    "accounts:confirm_email_change": lambda d: {
        "token": tokens.make_email_change_token(d.stranger, pending_key="pending")
    },
    "accounts:password_reset_confirm": lambda d: {
        "uidb64": urlsafe_base64_encode(force_bytes(d.stranger.pk)),
        "token": default_token_generator.make_token(d.stranger),
    },
    "applications:panel_invitation": lambda d: {"token": d.panel_invitation.token},
    "portal_spreadsheet_export_download": lambda d: {"pk": d.spreadsheet_export.pk},
    "accounts_end_sessions": lambda d: {"pk": d.stranger.pk},
    "privacy_erase_person": lambda d: {"pk": d.stranger.pk},
    "privacy_erase_organization": lambda d: {"pk": d.organization.pk},
    "grants:invitation_accept": lambda d: {"token": d.organization_invitation.token},
    "awards:request_payment": lambda d: {
        "pk": d.payable_award.pk,
        "installment_id": d.payable_installment.pk,
    },
    "disbursements:approve": lambda d: {"pk": d.payment_to_approve.pk},
    "disbursements:mark_sent": lambda d: {"pk": d.approved_payment.pk},
    "disbursements:mark_paid": lambda d: {"pk": d.sent_payment.pk},
    "disbursements:mark_failed": lambda d: {"pk": d.sent_payment.pk},
    "simple_translation:submit_snippet_translation": lambda d: {
        "app_label": "cms",
        "model_name": "safetysettings",
        "pk": "1",
    },
}
# Loading the URL configuration here, before the demo is seeded, registers every
# admin viewset first, as in a running server.
ROUTES = dict(_object_urls(get_resolver().url_patterns))


def url_for(name: str, demo: Demo) -> str:
    if name in BY_NAME:
        return reverse(name, kwargs=BY_NAME[name](demo))
    kwargs = {}
    for kwarg in re.findall(r"<(?:\w+:)?(\w+)>", ROUTES[name]):
        if kwarg == "pk":
            kwargs["pk"] = PK_BY_NAMESPACE[name.split(":")[0]](demo)
        else:
            kwargs[kwarg] = BY_KWARG[kwarg](demo)
    return reverse(name, kwargs=kwargs)


# What a refused POST must not have written -----------------------------------------

WATCHED = [
    "applications.Application",
    "applications.StatusChange",
    "applications.Attachment",
    "applications.DataExport",
    "applications.InternalNote",
    "applications.InformationRequest",
    "applications.ApplicationForm",
    "applications.Panel",
    "applications.PanelMembership",
    "applications.PanelInvitation",
    "applications.ConflictDeclaration",
    "applications.Assignment",
    "applications.Rubric",
    "applications.Review",
    "applications.Score",
    "applications.PanelRecommendation",
    "applications.Decision",
    "applications.HoursEntry",
    "grants.Fund",
    "grants.FundingRound",
    "grants.Organization",
    "grants.Membership",
    "grants.Invitation",
    "grants.Award",
    "grants.Installment",
    "grants.Disbursement",
    "grants.LedgerEntry",
    "grants.PayeeAccount",
    "grants.Stipend",
    "grants.HiringCommitment",
    "grants.HiringReport",
    "grants.HiringReportEvent",
    "wagtailcore.Page",
    "wagtailcore.Revision",
]
# Audit entries a refusal itself may leave: sign-in events and the record of the
# denial (the security bar asks for permission denials to be logged).
AUDIT_OF_REFUSALS = ("accounts.", "portal.permission_denied")


def snapshot() -> dict:
    """Every watched row, hashed, plus the count of audit entries of real actions."""
    state = {}
    for label in WATCHED:
        model = apps.get_model(label)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            # Raw rows: field values as stored, so nothing depends on Python reprs.
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608
            rows = cursor.fetchall()
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        state[label] = (len(rows), digest)
    actions = ModelLogEntry.objects.all()
    for prefix in AUDIT_OF_REFUSALS:
        actions = actions.exclude(action__startswith=prefix)
    state["wagtailcore.ModelLogEntry"] = actions.count()
    state["wagtailcore.PageLogEntry"] = PageLogEntry.objects.count()
    return state


def changed(before: dict, after: dict) -> list:
    return [label for label in before if before[label] != after[label]]


# Outcomes ------------------------------------------------------------------------

PORTAL_SIGN_IN = "/accounts/login/"
ADMIN_SIGN_IN = "/admin/login/"


def is_admin(url: str) -> bool:
    return url.startswith("/admin/")


def _close(response):
    # Read a download to its end: the test client then closes it the way a server
    # would. Calling close() directly would fire request_finished and close the
    # test's PostgreSQL connection in the middle of its transaction.
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


def shown(response) -> str:
    """What the person gets to read: the page, or a download's name."""
    if getattr(response, "streaming", False):
        return response.get("Content-Disposition", "")
    return response.content.decode(errors="replace")


def sent_to_sign_in(response, url: str) -> bool:
    if response.status_code != 302:
        return False
    sign_in = ADMIN_SIGN_IN if is_admin(url) else PORTAL_SIGN_IN
    return response["Location"].split("?")[0].endswith(sign_in)


def allowed(response, url: str) -> bool:
    if response.status_code == 200:
        return True
    if response.status_code in (301, 302, 303):
        location = response["Location"].split("?")[0]
        return not (
            location.endswith((PORTAL_SIGN_IN, ADMIN_SIGN_IN)) or location == "/admin/"
        )
    return False


def refused(response, url: str, *, signed_in: bool, post: bool = False) -> bool:
    if post and response.status_code == 405:
        return True
    if not signed_in:
        return sent_to_sign_in(response, url)
    if is_admin(url):
        if response.status_code == 302:
            return response["Location"] == "/admin/" or sent_to_sign_in(response, url)
        return response.status_code in (403, 404)
    return response.status_code == 404


def describe(response) -> str:
    return f"{response.status_code} {response.get('Location', '')}".strip()


def sign_in(client, demo: Demo, name: str, role: str):
    """Sign the role in; return whether the portal should see someone signed in."""
    if role == "anon":
        return False
    if role == "inactive":
        letters = dict(zip(ROLES, MATRIX[name].split(), strict=True))
        allowed_role = next((r for r in ALLOW_ORDER if letters[r] == "A"), "admin")
        person = demo.user(allowed_role)
        login_verified(client, person)
        User.objects.filter(pk=person.pk).update(is_active=False)
        return False
    login_verified(client, demo.user(role))
    return True


@pytest.mark.parametrize(("name", "role", "expected"), list(_cells()))
def test_authorization_matrix(client, demo_site, name, role, expected):
    demo = Demo()
    url = url_for(name, demo)
    signed_in = sign_in(client, demo, name, role)

    if expected == "A":
        if name in POST_ONLY:
            response = client.post(url, POST_BODY)
        else:
            response = client.get(url)
        text = shown(response)
        _close(response)
        assert allowed(response, url), (url, describe(response))
        leaked = [words for words in HIDDEN.get((name, role), []) if words in text]
        assert leaked == [], url
        return

    response = client.get(url)
    _close(response)
    if expected == "T":
        assert response.status_code == 200, (url, describe(response))
    elif name not in POST_ONLY:
        assert refused(response, url, signed_in=signed_in), (url, describe(response))
    before = snapshot()
    response = client.post(url, POST_BODY)
    _close(response)
    if expected == "D":
        assert refused(response, url, signed_in=signed_in, post=True), (
            url,
            describe(response),
        )
    else:
        assert response.status_code in (200, 302, 400, 404), (url, describe(response))
    assert changed(before, snapshot()) == [], url


# Two ids in one URL: a parent I may open must not open someone else's child -------

SWAPPED_PARENT = {
    # url name: (my own object for the parent, the owner's child object)
    "applications:attachment_download": lambda d, mine: {
        "public_id": mine["application"].public_id,
        "attachment_id": d.attachment.pk,
    },
    "grants:invitation_revoke": lambda d, mine: {
        "pk": mine["organization"].pk,
        "invitation_pk": d.organization_invitation.pk,
    },
    "grants:member_remove": lambda d, mine: {
        "pk": mine["organization"].pk,
        "membership_pk": d.owner_membership.pk,
    },
    "grants:report_detail": lambda d, mine: {
        "award_id": mine["award"].pk,
        "report_id": d.report.pk,
    },
}


@pytest.mark.parametrize("name", sorted(SWAPPED_PARENT))
def test_my_own_parent_id_does_not_open_another_organizations_object(
    client, demo_site, name
):
    demo = Demo()
    # applicant2@ owns the Cedar-Riverside Youth Circle, which applicant@ is not in.
    organization = Organization.objects.get(public_name="Cedar-Riverside Youth Circle")
    mine = {
        "organization": organization,
        "application": organization.applications.order_by("pk").first(),
        "award": organization.awards.order_by("pk").first(),
    }
    url = reverse(name, kwargs=SWAPPED_PARENT[name](demo, mine))
    login_verified(client, demo.user("outsider"))
    response = client.get(url)
    _close(response)
    assert response.status_code == 404, (url, describe(response))
    before = snapshot()
    response = client.post(url, POST_BODY)
    _close(response)
    assert response.status_code in (404, 405), (url, describe(response))
    assert changed(before, snapshot()) == [], url


# Starting an application is open to everyone signed in, but only for one's own
# organization.


@pytest.mark.parametrize(
    "role", ["owner", "outsider", "panelist", "chair", "staff", "finance", "comms"]
)
def test_only_members_start_an_application_for_their_organization(
    client, demo_site, role
):
    demo = Demo()
    funding_round = demo.open_round
    login_verified(client, demo.user(role))
    session = client.session
    session[ELIGIBLE_SESSION_KEY] = [funding_round.pk]  # the quiz is passed
    session.save()
    before = snapshot()
    drafts = Application.objects.filter(funding_round=funding_round)
    count = drafts.count()
    response = client.post(
        reverse("applications:start", kwargs={"round_id": funding_round.pk}),
        {"organization": demo.organization.pk},
    )
    if role == "owner":
        assert response.status_code == 302, describe(response)
        assert drafts.count() == count + 1
    else:
        assert response.status_code in (200, 404), describe(response)
        assert changed(before, snapshot()) == []
