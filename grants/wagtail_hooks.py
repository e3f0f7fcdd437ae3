from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from grants import finance_admin_views, hiring_admin_views
from grants.services.stripe import LOG_ACTIONS as STRIPE_LOG_ACTIONS
from grants.viewsets import GrantsViewSetGroup


@hooks.register("register_admin_viewset")
def register_grants_viewsets():
    return GrantsViewSetGroup()


@hooks.register("register_admin_urls")
def register_finance_urls():
    urls = [
        path("", finance_admin_views.FinanceDashboardView.as_view(), name="dashboard"),
        path(
            "installments/",
            finance_admin_views.InstallmentListView.as_view(),
            name="installments",
        ),
        path(
            "stipend-totals/",
            finance_admin_views.StipendTotalsView.as_view(),
            name="stipend_totals",
        ),
    ]
    return [
        path("finance/", include((urls, "finance"), namespace="finance")),
        path(
            "hiring/",
            hiring_admin_views.HiringDashboardView.as_view(),
            name="hiring_dashboard",
        ),
    ]


class FinanceMenuItem(MenuItem):
    def is_shown(self, request):
        return finance_admin_views.can_see_finance(request.user)


@hooks.register("register_admin_menu_item")
def register_finance_menu_item():
    return FinanceMenuItem(
        "Finance", reverse("finance:dashboard"), icon_name="table", order=190
    )


class HiringMenuItem(MenuItem):
    def is_shown(self, request):
        return hiring_admin_views.can_see_hiring(request.user)


@hooks.register("register_admin_menu_item")
def register_hiring_menu_item():
    return HiringMenuItem(
        "Survivor hiring", reverse("hiring_dashboard"), icon_name="group", order=195
    )


@hooks.register("register_log_actions")
def register_hiring_log_actions(actions):
    for name, label in [
        ("record_commitment", "Confirm hiring commitment"),
        ("propose_commitment", "Hiring commitment proposed in the application"),
        ("schedule_reports", "Set progress report schedule"),
        ("submit_report", "Send progress report"),
        ("verify_report", "Verify progress report"),
        ("return_report", "Return progress report"),
    ]:
        actions.register_action(f"grants.{name}", label, label)


@hooks.register("register_log_actions")
def register_grants_log_actions(actions):
    actions.register_action("grants.create_fund", "Create fund", "Created a fund")
    actions.register_action("grants.update_fund", "Edit fund", "Edited a fund")
    actions.register_action(
        "grants.create_funding_round", "Create funding round", "Created a funding round"
    )
    actions.register_action(
        "grants.update_funding_round", "Edit funding round", "Edited a funding round"
    )
    actions.register_action(
        "grants.create_organization",
        "Create organization",
        "Created an organization",
    )
    actions.register_action(
        "grants.update_organization", "Edit organization", "Edited an organization"
    )
    actions.register_action(
        "grants.invite_member", "Invite member", "Invited a member by email"
    )
    actions.register_action(
        "grants.revoke_invitation", "Cancel invitation", "Cancelled an invitation"
    )
    actions.register_action(
        "grants.accept_invitation", "Accept invitation", "Joined through an invitation"
    )
    actions.register_action(
        "grants.remove_member", "Remove member", "Removed a member or left"
    )
    actions.register_action(
        "grants.transfer_ownership", "Transfer ownership", "Handed over ownership"
    )


@hooks.register("register_log_actions")
def register_stipend_log_actions(actions):
    actions.register_action(
        "grants.record_stipend", "Record stipend", "Sent a panel stipend to finance"
    )
    actions.register_action(
        "grants.withdraw_stipend", "Withdraw stipend", "Took back a pending stipend"
    )


@hooks.register("register_log_actions")
def register_money_log_actions(actions):
    for name, label in [
        ("create_award", "Offer award"),
        ("accept_award", "Accept award"),
        ("decline_award", "Decline award"),
        ("amend_award", "Amend award"),
        ("rescind_award", "Rescind award"),
        ("set_schedule", "Set payment schedule"),
        ("request_disbursement", "Request payment"),
        ("request_stipend_payment", "Request stipend payment"),
        ("approve_disbursement", "Approve payment"),
        ("mark_sent", "Record payment sent"),
        ("mark_paid", "Record payment paid"),
        ("failed_disbursement", "Record payment failed"),
        ("reversed_disbursement", "Record payment reversed"),
        ("cancel_disbursement", "Cancel payment"),
        ("export_ledger", "Export the ledger"),
    ]:
        actions.register_action(f"grants.{name}", label, label)


@hooks.register("register_log_actions")
def register_stripe_log_actions(actions):
    for name, label in STRIPE_LOG_ACTIONS.items():
        actions.register_action(name, label, label)
