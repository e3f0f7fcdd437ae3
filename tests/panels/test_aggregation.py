"""Aggregated scores, checked against values worked out by hand.

Rubric: two criteria weighted 2 and 1, scored 1-5. A review's weighted score is
(2 x c1 + 1 x c2) / 3.

    reviewer  X           Y           Z
    A         (5,2) 4.0   (3,3) 3.0   -
    B         (4,1) 3.0   (2,5) 3.0   (1,1) 1.0
    C         -           (5,5) 5.0   abstains
"""

from decimal import Decimal

import pytest

from applications.ranking import panel_ranking, ranked_rows
from tests.factories import UserFactory
from tests.panels.helpers import application_for, make_panel, seat, submit_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(program_staff):
    panel, form, rubric = make_panel(reviewers_per_application=3)
    a, b, c = (seat(panel, user=UserFactory()).user for _ in range(3))
    x = application_for(form, reference="T-X", amount_requested=Decimal("30000"))
    y = application_for(form, reference="T-Y", amount_requested=Decimal("40000"))
    z = application_for(form, reference="T-Z", amount_requested=Decimal("20000"))
    submit_review(program_staff, panel, x, a, [5, 2])
    submit_review(program_staff, panel, y, a, [3, 3])
    submit_review(program_staff, panel, x, b, [4, 1])
    submit_review(program_staff, panel, y, b, [2, 5])
    submit_review(program_staff, panel, z, b, [1, 1])
    submit_review(
        program_staff, panel, z, c, [], abstained=True, abstain_reason="I know them."
    )
    submit_review(program_staff, panel, y, c, [5, 5])
    rows = {row.reference: row for row in panel_ranking(panel)}
    return rubric, rows


def test_weighted_means_and_spread_match_hand_computed_values(scored):
    _rubric, rows = scored
    assert rows["T-X"].mean_score == pytest.approx(3.5)
    assert rows["T-X"].spread == pytest.approx(0.5)
    assert rows["T-Y"].mean_score == pytest.approx(11 / 3)
    assert rows["T-Y"].spread == pytest.approx(0.942809, abs=1e-5)


def test_a_single_review_has_no_spread_and_abstentions_count_nowhere(scored):
    _rubric, rows = scored
    z = rows["T-Z"]
    assert z.mean_score == pytest.approx(1.0)
    assert z.spread == pytest.approx(0.0)
    assert (z.reviews_done, z.abstentions, z.reviews_assigned) == (1, 1, 2)


def test_per_criterion_means(scored):
    rubric, rows = scored
    panel = rubric.funding_round.panel
    by_reference = {
        row.reference: row.criterion_means for row in ranked_rows(panel, rubric=rubric)
    }
    assert by_reference["T-X"] == [pytest.approx(4.5), pytest.approx(1.5)]
    assert by_reference["T-Y"] == [pytest.approx(10 / 3), pytest.approx(13 / 3)]
    assert by_reference["T-Z"] == [pytest.approx(1.0), pytest.approx(1.0)]


def test_a_page_of_the_ranking_keeps_the_round_wide_rank_and_running_total(scored):
    rubric, _rows = scored
    panel = rubric.funding_round.panel
    second_only = ranked_rows(panel, rubric=rubric, start=1, stop=2)
    assert [(r.reference, r.rank, r.band) for r in second_only] == [
        ("T-X", 2, "middle")
    ]
    assert second_only[0].running_total == Decimal("70000")


def test_normalized_scores_match_hand_computed_z_scores(scored):
    # Reviewer A: mean 3.5, spread 0.5. Reviewer B: mean 7/3, spread 0.942809.
    # Reviewer C has one scored review: no spread, left out of normalization.
    # Panel: six scores 4,3,3,3,1,5 -> mean 19/6, spread 1.213352.
    _rubric, rows = scored
    mean, spread = 19 / 6, 1.213352

    def rescaled(z):
        return min(max(mean + z * spread, 1), 5)

    z_b_3 = (3 - 7 / 3) / 0.942809
    z_b_1 = (1 - 7 / 3) / 0.942809
    assert rows["T-X"].normalized_score == pytest.approx(
        (rescaled(1) + rescaled(z_b_3)) / 2, abs=1e-4
    )
    assert rows["T-Y"].normalized_score == pytest.approx(
        (rescaled(-1) + rescaled(z_b_3)) / 2, abs=1e-4
    )
    assert rows["T-Z"].normalized_score == pytest.approx(rescaled(z_b_1), abs=1e-4)


def test_rank_bands_and_running_total_follow_the_mean(scored):
    _rubric, rows = scored
    ranked = sorted(rows.values(), key=lambda row: row.rank)
    assert [row.reference for row in ranked] == ["T-Y", "T-X", "T-Z"]
    assert [row.band_number for row in ranked] == [1, 2, 3]
    assert [row.running_total for row in ranked] == [
        Decimal("40000"),
        Decimal("70000"),
        Decimal("90000"),
    ]


def test_an_application_without_reviews_ranks_last_without_a_score(program_staff):
    panel, form, _rubric = make_panel()
    person = seat(panel).user
    scored_app = application_for(form, reference="T-A")
    application_for(form, reference="T-B")
    submit_review(program_staff, panel, scored_app, person, [4, 4])
    rows = list(panel_ranking(panel))
    assert [r.reference for r in rows] == ["T-A", "T-B"]
    assert rows[1].mean_score is None
    assert rows[1].normalized_score is None
