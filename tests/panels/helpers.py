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
