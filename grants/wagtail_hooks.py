from wagtail import hooks

from grants.viewsets import GrantsViewSetGroup


@hooks.register("register_admin_viewset")
def register_grants_viewsets():
    return GrantsViewSetGroup()


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
