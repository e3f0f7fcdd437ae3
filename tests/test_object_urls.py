"""Every URL that takes an object id or token has a test proving others are refused.

When a new such URL appears, this module fails until the URL is added to COVERED with
the test that proves its authorization (and that test exists).
"""

import importlib

import pytest
from django.urls import URLResolver, get_resolver

from tests.factories import FundFactory, FundingRoundFactory
from tests.helpers import login_verified

COVERED = {
    # Applicant pages: tests/applications/test_application_views.py
    **{
        f"applications:{name}": "tests.applications.test_application_views::test_everyone_else_gets_404_on_every_application_url_and_writes_nothing"
        for name in [
            "task_list",
            "section",
            "check",
            "receipt",
            "print",
            "withdraw",
            "attachment_download",
        ]
    },
    "applications:start": "tests.applications.test_apply::test_people_outside_the_organization_cannot_start_edit_or_submit",
    "applications:eligibility": "tests.applications.test_apply::test_people_outside_the_organization_cannot_start_edit_or_submit",
    # Organizations: tests/grants/
    **{
        f"grants:{name}": "tests.grants.test_organizations::test_outsiders_get_404_on_every_organization_url_and_posts_write_nothing"
        for name in [
            "organization_detail",
            "organization_edit",
            "member_invite",
            "member_remove",
            "ownership_transfer",
        ]
    },
    "grants:award_detail": "tests.grants.test_award_page::test_outsiders_get_404_and_editors_cannot_answer",
    "grants:invitation_revoke": "tests.grants.test_invitations::test_invitation_of_another_organization_cannot_be_cancelled_through_mine",
    "grants:invitation_accept": "tests.grants.test_invitations::test_accepting_with_a_different_signed_in_email_is_refused_and_writes_nothing",
    # Stripe onboarding for grantees: tests/grants/test_stripe_onboarding.py
    **{
        f"payments:{name}": "tests.grants.test_stripe_onboarding::test_people_other_than_the_owner_get_404_on_every_payee_url_and_nothing_is_written"
        for name in ["payee_start", "payee_return", "payee_refresh"]
    },
    # Screening admin: tests/applications/test_screening.py
    "screening:inspect": "tests.applications.test_screening::test_other_roles_cannot_read_the_screening_area",
    "screening:download_attachment": "tests.applications.test_screening::test_other_roles_cannot_read_the_screening_area",
    "screening:change_status": "tests.applications.test_screening::test_other_roles_cannot_screen",
    "screening:request_information": "tests.applications.test_screening::test_other_roles_cannot_screen",
    "screening:add_note": "tests.applications.test_screening::test_other_roles_cannot_screen",
    **{
        f"application_forms:{name}": "tests.applications.test_application_form_admin::test_other_roles_cannot_add_or_change_forms"
        for name in ["edit", "delete", "history", "history_results", "usage"]
    },
    # Funds and rounds admin: this module
    **{
        f"{viewset}:{name}": "tests.test_object_urls::test_only_program_staff_reach_fund_and_round_admin_objects"
        for viewset in ["funds", "funding_rounds"]
        for name in ["edit", "delete", "history", "history_results", "usage", "inspect"]
    },
    # Review panels, panelist and chair pages: tests/panels/test_panel_views.py
    **{
        f"applications:{name}": "tests.panels.test_panel_views::test_unassigned_panelist_gets_404_on_every_review_url_and_writes_nothing"
        for name in ["review", "review_conflict", "review_file"]
    },
    **{
        f"applications:{name}": "tests.panels.test_panel_views::test_panel_pages_are_404_for_people_not_on_the_panel"
        for name in ["panel_detail", "panel_pause"]
    },
    **{
        f"applications:{name}": "tests.panels.test_panel_views::test_others_get_404_on_deliberation_pages_and_write_nothing"
        for name in ["panel_meeting", "panel_recommend", "review_reopen"]
    },
    "applications:panel_invitation": "tests.panels.test_panel_views::test_an_invitation_works_only_through_its_own_token",
    # Panels, rubrics and decisions admin: tests/panels/test_panel_admin.py
    **{
        f"panels:{name}": "tests.panels.test_panel_admin::test_other_roles_are_refused_on_every_panel_rubric_and_decision_url"
        for name in [
            "edit",
            "history",
            "history_results",
            "inspect",
            "invite",
            "revoke_invitation",
            "stipend_rate",
            "remove_member",
            "auto_assign",
            "assign",
            "unassign",
            "content_note",
            "send_stipends",
            "ranking",
        ]
    },
    **{
        f"rubrics:{name}": "tests.panels.test_panel_admin::test_other_roles_are_refused_on_every_panel_rubric_and_decision_url"
        for name in ["edit", "history", "history_results", "usage"]
    },
    "screening:record_decision": "tests.panels.test_panel_admin::test_other_roles_are_refused_on_every_panel_rubric_and_decision_url",
    "stipends:inspect": "tests.panels.test_panel_admin::test_people_without_the_stipend_permission_cannot_see_stipends",
    # Finance admin: awards, payments, stipend payments (tests/grants/test_finance_admin.py)
    **dict.fromkeys(
        [
            "awards:inspect",
            "awards:amend",
            "awards:rescind",
            "awards:schedule",
            "awards:request_payment",
            "disbursements:inspect",
            "disbursements:approve",
            "disbursements:mark_sent",
            "disbursements:mark_paid",
            "disbursements:mark_failed",
            "disbursements:cancel",
            "stipends:pay",
        ],
        "tests.grants.test_finance_admin::test_other_roles_are_refused_on_every_finance_url_and_write_nothing",
    ),
    # Survivor hiring (tests/grants/test_hiring_reports.py)
    "awards:commitment": "tests.grants.test_hiring_reports::test_only_program_staff_record_commitments_and_schedules",
    "awards:report_schedule": "tests.grants.test_hiring_reports::test_only_program_staff_record_commitments_and_schedules",
    "grants:report_detail": "tests.grants.test_hiring_reports::test_outsiders_and_panelists_get_404_and_write_nothing",
    **dict.fromkeys(
        ["hiring_reports:inspect", "hiring_reports:verify", "hiring_reports:return"],
        "tests.grants.test_hiring_reports::test_people_outside_program_staff_cannot_open_or_verify_reports_in_the_admin",
    ),
    # A copy of an organization's data, for its owners (tests/privacy/)
    **dict.fromkeys(
        ["applications:your_data", "applications:your_data_download"],
        "tests.privacy.test_data_export::test_everyone_but_the_owner_gets_404_and_nothing_is_made",
    ),
    # Accounts: signed tokens, not objects
    # Admin pages added by our hooks (no namespace).
    "accounts_end_sessions": "tests.accounts.test_sessions::test_only_administrators_sign_other_people_out",
    "privacy_erase_person": "tests.privacy.test_erasure_admin::test_only_administrators_reach_the_erasure_pages",
    "privacy_erase_organization": "tests.privacy.test_erasure_admin::test_only_administrators_reach_the_erasure_pages",
    "portal_spreadsheet_export_download": "tests.portal.test_spreadsheet_exports::test_nobody_but_its_person_downloads_an_export",
    "accounts:confirm_email": "tests.accounts.test_signup_and_confirmation::test_a_tampered_confirmation_link_is_refused_kindly",
    "accounts:confirm_email_change": "tests.accounts.test_change_email::test_the_new_address_applies_only_after_its_owner_confirms",
    "accounts:password_reset_confirm": "tests.accounts.test_password_reset::test_a_used_reset_link_is_refused_kindly",
    # Wagtail's own translation views check page and snippet permissions themselves.
    "simple_translation:submit_page_translation": "tests.cms.test_communications_staff::test_comms_staff_are_refused_outside_pages_snippets_and_images",
    "simple_translation:submit_snippet_translation": "tests.cms.test_communications_staff::test_comms_staff_are_refused_outside_pages_snippets_and_images",
}


def _object_urls(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            joined = (
                f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            )
            yield from _object_urls(
                pattern.url_patterns, prefix + str(pattern.pattern), joined
            )
        else:
            route = prefix + str(pattern.pattern)
            if pattern.name and ("<" in route or "(?P" in route):
                yield (
                    (f"{namespace}:{pattern.name}" if namespace else pattern.name),
                    route,
                )


def ours(name: str) -> bool:
    """URLs of this project (namespaced, or added to the admin by our hooks), not
    Wagtail's own core views (which it tests itself)."""
    return not name.startswith("wagtail")


def test_every_object_url_has_an_authorization_test():
    names = {
        name for name, _ in _object_urls(get_resolver().url_patterns) if ours(name)
    }
    missing = sorted(names - set(COVERED))
    assert missing == [], f"Add an authorization test for: {missing}"


@pytest.mark.parametrize("name", sorted(COVERED))
def test_each_named_authorization_test_exists(name):
    module_name, test_name = COVERED[name].split("::")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, test_name, None)), COVERED[name]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["comms_staff", "applicant", "panelist"])
def test_only_program_staff_reach_fund_and_round_admin_objects(client, request, role):
    fund = FundFactory()
    funding_round = FundingRoundFactory(fund=fund)
    person = request.getfixturevalue(role)
    login_verified(client, person)
    for viewset, obj in (("funds", fund), ("funding_rounds", funding_round)):
        for action in ("edit", "delete", "history", "usage", "inspect"):
            url = f"/admin/{viewset}/{action}/{obj.pk}/"
            response = client.get(url)
            assert response.status_code in (302, 403, 404), url
            if response.status_code == 302:
                assert not response["Location"].startswith(url)
            assert client.post(
                url, {"title": "Changed", "name": "Changed"}
            ).status_code in (302, 403, 404)
    funding_round.refresh_from_db()
    fund.refresh_from_db()
    assert funding_round.title != "Changed"
    assert fund.name != "Changed"
