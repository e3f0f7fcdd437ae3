"""Aggregate scores for deliberation: computed by the database, in a fixed number of
queries however many applications a round has.

- Weighted score of one review: sum(weight x score) / sum(weight), written when the
  review is submitted. Abstentions have none and count nowhere.
- Mean: the average of an application's weighted review scores.
- Spread: the population standard deviation of those scores; a single review has a
  spread of 0. Spread at or above a quarter of the scale's range flags disagreement.
- Normalized score: some reviewers score everything high, others low. For each review,
  z = (score - that reviewer's mean) / that reviewer's spread, then rescaled to the
  rubric scale as panel mean + z x panel spread and kept within 1..top. A reviewer with
  fewer than two reviews, or who gave every application the same score, has no spread,
  so their reviews are left out of the normalized score (not of the plain mean).
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Q,
    StdDev,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Greatest, Least, Ntile, Rank, RowNumber

from applications.models import (
    Application,
    Panel,
    Review,
    Rubric,
    Score,
)
from applications.selectors import DELIBERATION_STATUSES, recommendations_for

DISAGREEMENT_SHARE = 0.25
BANDS = {1: "high", 2: "middle", 3: "low"}

_DONE = Q(
    assignments__review__submitted_at__isnull=False,
    assignments__review__abstained=False,
)


@dataclass
class ReviewerStats:
    mean: float
    spread: float
    reviews: int


def _scored_reviews(panel: Panel):
    return Review.objects.filter(
        assignment__panel=panel, submitted_at__isnull=False, abstained=False
    )


def reviewer_stats(panel: Panel) -> dict[int, ReviewerStats]:
    """Each reviewer's mean and spread over their submitted scores (one query)."""
    rows = (
        _scored_reviews(panel)
        .values("assignment__panelist")
        .annotate(
            mean=Avg(Cast("weighted_score", FloatField())),
            spread=StdDev(Cast("weighted_score", FloatField())),
            n=Count("pk"),
        )
    )
    return {
        row["assignment__panelist"]: ReviewerStats(
            float(row["mean"]), float(row["spread"] or 0), row["n"]
        )
        for row in rows
    }


def panel_stats(panel: Panel) -> ReviewerStats | None:
    row = _scored_reviews(panel).aggregate(
        mean=Avg(Cast("weighted_score", FloatField())),
        spread=StdDev(Cast("weighted_score", FloatField())),
        n=Count("pk"),
    )
    if not row["n"]:
        return None
    return ReviewerStats(float(row["mean"]), float(row["spread"] or 0), row["n"])


def _normalized_expression(panel: Panel, scale_max: int):
    overall = panel_stats(panel)
    if overall is None:
        return Value(None, output_field=FloatField())
    whens = []
    score = Cast("assignments__review__weighted_score", FloatField())
    for panelist_id, stats in reviewer_stats(panel).items():
        if stats.reviews < 2 or stats.spread == 0:
            continue
        z = (score - Value(stats.mean)) / Value(stats.spread)
        rescaled = Value(overall.mean) + z * Value(overall.spread)
        whens.append(
            When(
                _DONE & Q(assignments__panelist_id=panelist_id),
                then=Least(Greatest(rescaled, Value(1.0)), Value(float(scale_max))),
            )
        )
    if not whens:
        return Value(None, output_field=FloatField())
    return Avg(Case(*whens, default=None, output_field=FloatField()))


def panel_ranking(panel: Panel, *, rubric: Rubric | None = None):
    """Applications in review for the panel's round, ranked by mean weighted score.

    Each row carries: reviews_done, reviews_assigned, abstentions, mean_score,
    spread, normalized_score, rank, band_number (1 high .. 3 low, among scored
    applications) and running_total of amounts requested down the list.
    """
    rubric = (
        rubric or Rubric.objects.filter(funding_round_id=panel.funding_round_id).first()
    )
    scale_max = rubric.scale_max if rubric else 5
    score = Cast("assignments__review__weighted_score", FloatField())
    order = [F("mean_score").desc(nulls_last=True), F("reference").asc()]
    # Equal scores share a rank; the reference only keeps the list's order stable.
    by_score = [F("mean_score").desc(nulls_last=True)]
    queryset = (
        Application.objects.filter(funding_round_id=panel.funding_round_id)
        .filter(status__in=DELIBERATION_STATUSES)
        .annotate(
            reviews_done=Count("assignments__review", filter=_DONE),
            reviews_assigned=Count("assignments"),
            abstentions=Count(
                "assignments__review",
                filter=Q(
                    assignments__review__submitted_at__isnull=False,
                    assignments__review__abstained=True,
                ),
            ),
            mean_score=Avg(score, filter=_DONE),
            spread=StdDev(score, filter=_DONE),
            normalized_score=_normalized_expression(panel, scale_max),
        )
    )
    return queryset.annotate(
        rank=Window(Rank(), order_by=by_score),
        position=Window(RowNumber(), order_by=order),
        band_number=Window(
            Ntile(3),
            partition_by=[
                Case(When(mean_score__isnull=True, then=Value(1)), default=Value(0))
            ],
            order_by=order,
        ),
        running_total=Window(
            Sum(
                "amount_requested",
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
            order_by=order,
        ),
    ).order_by(*order)


def disagreement_threshold(scale_max: int) -> float:
    return DISAGREEMENT_SHARE * (scale_max - 1)


def criterion_means(panel: Panel, application_ids) -> dict:
    """Mean score per (application id, criterion id), in one grouped query."""
    rows = (
        Score.objects.filter(
            review__assignment__panel=panel,
            review__assignment__application_id__in=list(application_ids),
            review__submitted_at__isnull=False,
            review__abstained=False,
        )
        .values("review__assignment__application_id", "criterion_id")
        .annotate(mean=Avg(Cast("value", FloatField())))
    )
    return {
        (row["review__assignment__application_id"], row["criterion_id"]): row["mean"]
        for row in rows
    }


def ranked_rows(
    panel: Panel, *, rubric: Rubric | None, start: int = 0, stop: int | None = None
) -> list:
    """One slice of the ranked list as the meeting shows it: ranks and bands stay
    those of the whole round; criterion means, flags, the budget line and the panel's
    recommendation are added to each row."""
    rows = list(panel_ranking(panel, rubric=rubric)[start:stop])
    threshold = disagreement_threshold(rubric.scale_max if rubric else 5)
    budget = panel.funding_round.budget
    recommendations = recommendations_for(panel)
    criteria = list(rubric.criteria.all()) if rubric else []
    means = criterion_means(panel, [row.pk for row in rows])
    for row in rows:
        row.criterion_means = [means.get((row.pk, c.pk)) for c in criteria]
        row.disagree = row.spread is not None and row.spread >= threshold
        row.over_budget = row.running_total is not None and row.running_total > budget
        row.band = BANDS.get(row.band_number) if row.mean_score is not None else None
        row.recommendation = recommendations.get(row.pk)
    return rows


MEETING_PAGE_SIZE = 100


def meeting_page(panel: Panel, *, rubric: Rubric | None, page_number) -> tuple:
    """A page of the ranked list (100 applications), and the page object."""
    page = Paginator(panel_ranking(panel, rubric=rubric), MEETING_PAGE_SIZE).get_page(
        page_number
    )
    rows = ranked_rows(
        panel, rubric=rubric, start=page.start_index() - 1, stop=page.end_index()
    )
    return page, rows
