"""Shared set-up for review panel tests: a round with a panel, rubric and reviews."""

from decimal import Decimal

from applications import services
from tests.factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    PanelFactory,
    PanelMembershipFactory,
    RubricFactory,
)


def make_panel(*, weights=("2", "1"), scale_max=5, **panel_values):
    """A panel, its round's form and rubric."""
    form = ApplicationFormFactory()
    panel = PanelFactory(funding_round=form.funding_round, **panel_values)
    rubric = RubricFactory(
        funding_round=form.funding_round,
        scale_max=scale_max,
        weights=[Decimal(w) for w in weights],
    )
    return panel, form, rubric


def seat(panel, role="panelist", **values):
    return PanelMembershipFactory(panel=panel, role=role, **values)


def application_for(form, **values):
    return ApplicationFactory(form=form, **values)


def submit_review(staff, panel, application, panelist, scores, **values):
    """Assign, declare no conflict and submit a review through the services."""
    assignment = services.assign_reviewer(
        actor=staff, panel=panel, application=application, panelist=panelist
    )
    services.declare_conflict(actor=panelist, assignment=assignment, has_conflict=False)
    criteria = list(panel.funding_round.rubric.criteria.all())
    values.setdefault("recommendation", "fund")
    return services.save_review(
        actor=panelist,
        assignment=assignment,
        scores={c.pk: s for c, s in zip(criteria, scores, strict=False)},
        submit=True,
        **values,
    )


# Added for the assignment, conflict, deliberation and panel-people modules. ---------


def criteria_of(panel):
    """The panel's rubric criteria, in their order."""
    return list(panel.funding_round.rubric.criteria.all())


def scores_for(panel, values):
    """Map the panel's criteria, in order, to the given levels."""
    return {c.pk: v for c, v in zip(criteria_of(panel), values, strict=False)}


def assign(staff, panel, application, panelist):
    return services.assign_reviewer(
        actor=staff, panel=panel, application=application, panelist=panelist
    )


def ready_to_review(staff, panel, application, panelist):
    """Assign, and have the panelist declare no conflict: the review may start."""
    assignment = assign(staff, panel, application, panelist)
    services.declare_conflict(actor=panelist, assignment=assignment, has_conflict=False)
    return assignment


def record_conflict(staff, panel, application, panelist, reason="works_there"):
    """Assign, then have the panelist declare a conflict (which ends the assignment)."""
    assignment = assign(staff, panel, application, panelist)
    return services.declare_conflict(
        actor=panelist, assignment=assignment, has_conflict=True, reason=reason
    )


def log_entries(action, instance=None):
    """Wagtail audit log entries with this action (on this object, when given)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    entries = ModelLogEntry.objects.filter(action=action)
    if instance is not None:
        entries = entries.filter(
            content_type=ContentType.objects.get_for_model(
                instance, for_concrete_model=False
            ),
            object_id=str(instance.pk),
        )
    return entries


def ensure_role_groups():
    """Create the role groups when a transactional test's flush removed them.

    Flushing keeps content types and permissions (post_migrate recreates them) but
    not what data migrations wrote, such as the role groups.
    """
    from django.contrib.auth.models import Group

    from portal import roles

    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)


def award_details(**overrides):
    """What staff write for a new award: public words and dates, never answers."""
    from datetime import date

    return {
        "public_title": "Peer support for survivors",
        "public_summary": "Weekly peer support circles led by survivors.",
        "starts_on": date(2027, 1, 1),
        "ends_on": date(2027, 12, 31),
        "conditions": "",
        **overrides,
    }
