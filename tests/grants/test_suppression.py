"""Small-count suppression for public statistics about people.

The brute-force tests play a reader who sees a published group and tries to work out
hidden cells. The reader is written from the rules of disclosure, not from the
module's logic: it enumerates every assignment of hidden values that fits what is
on the page and checks that each hidden cell still has more than one possible value.
"""

import functools
import itertools

import pytest

from grants.suppression import NOTE, SMALL, Figure, Table, figure, protect

FEWER = "fewer than 5"
NOT_SHOWN = "not shown"
# Hidden figures are bounded by the total when it is shown; otherwise by a cap well
# above any sum the brute force builds (4 cells of at most 7, plus a rest of 7).
CAP = 60


def displayed(table: Table) -> tuple[list[str], str]:
    return [str(f) for f in table.cells.values()], str(table.total)


def group(*values: int) -> dict[str, int]:
    return {f"cell{i}": value for i, value in enumerate(values)}


# Standalone figures


@pytest.mark.parametrize(
    ("count", "shown", "text"),
    [
        (0, True, "0"),
        (1, False, FEWER),
        (4, False, FEWER),
        (5, True, "5"),
        (6, True, "6"),
        (1234, True, "1234"),
    ],
)
def test_standalone_figure_hides_only_counts_from_1_to_4(count, shown, text):
    result = figure(count)

    assert result.shown is shown
    assert str(result) == text
    assert result.value == (count if shown else None)
    assert result.reason == ("" if shown else "small")


@pytest.mark.parametrize("bad", [-1, 2.0, "3", None, True])
def test_standalone_figure_rejects_negative_or_non_integer_counts(bad):
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the value
        figure(bad)


def test_note_tells_readers_what_fewer_than_5_means():
    assert "“fewer than 5”" in str(NOTE)


# Groups


def test_group_of_large_counts_shows_everything():
    table = protect({"entry": 12, "professional": 30, "leadership": 5, "board": 7})

    assert displayed(table) == (["12", "30", "5", "7"], "54")
    assert table.any_hidden is False


def test_group_of_zeros_shows_everything():
    table = protect({"entry": 0, "professional": 0, "leadership": 0, "board": 0})

    assert displayed(table) == (["0", "0", "0", "0"], "0")
    assert table.any_hidden is False


def test_cells_keep_the_input_order():
    table = protect({"board": 9, "entry": 6, "leadership": 0})

    assert list(table.cells) == ["board", "entry", "leadership"]


def test_one_small_cell_among_large_ones_also_hides_the_next_smallest_cell():
    table = protect({"entry": 3, "professional": 12, "leadership": 8, "board": 20})

    # 43 - 12 - 20 = 11 covers entry and leadership together; neither is pinned.
    assert displayed(table) == ([FEWER, "12", NOT_SHOWN, "20"], "43")
    assert table.cells["entry"].reason == "small"
    assert table.cells["leadership"] == Figure(None, False, "secondary")
    assert table.any_hidden is True


def test_two_ones_beside_a_ten_hide_the_ten_too():
    # Showing 10 would leave 12 - 10 = 2, so both hidden cells would be 1.
    table = protect(group(1, 1, 10))

    assert displayed(table) == ([FEWER, FEWER, NOT_SHOWN], "12")


def test_two_fours_beside_a_twenty_hide_the_twenty_too():
    # Showing 20 would leave 8 for two cells of "fewer than 5": both exactly 4.
    table = protect(group(4, 4, 20))

    assert displayed(table) == ([FEWER, FEWER, NOT_SHOWN], "28")


def test_ties_hide_the_first_cell_in_group_order():
    table = protect({"entry": 2, "professional": 9, "leadership": 9})

    assert displayed(table) == ([FEWER, NOT_SHOWN, "9"], "20")


def test_zero_cells_are_never_hidden_to_protect_others():
    table = protect({"entry": 3, "professional": 0, "leadership": 0, "board": 12})

    assert displayed(table) == ([FEWER, "0", "0", NOT_SHOWN], "15")


def test_lone_small_cell_among_zeros_hides_the_total():
    table = protect({"entry": 0, "professional": 3, "leadership": 0, "board": 0})

    assert displayed(table) == (["0", FEWER, "0", "0"], FEWER)
    assert table.total.reason == "small"


def test_hidden_total_lets_large_cells_show_again():
    # Hiding the 5 beside the 1 would leave 6 - 5 = 1; with no other cell to hide,
    # the total goes and each cell stands alone.
    table = protect({"board": 1, "staff": 5})

    assert displayed(table) == ([FEWER, "5"], NOT_SHOWN)
    assert table.total == Figure(None, False, "secondary")


def test_total_of_four_cells_of_one_does_not_say_it_is_fewer_than_5():
    # Four cells each at least 1 adding up to fewer than 5 would all be exactly 1.
    table = protect({"entry": 1, "professional": 1, "leadership": 1, "board": 1})

    assert displayed(table) == ([FEWER] * 4, NOT_SHOWN)


def test_four_cells_of_four_hide_the_total():
    # A total of 16 over four cells of "fewer than 5" would make each exactly 4.
    table = protect(group(4, 4, 4, 4))

    assert displayed(table) == ([FEWER] * 4, NOT_SHOWN)


@pytest.mark.parametrize(
    ("values", "cells", "total"),
    [
        ((0, 5, 6), ["0", "5", "6"], "11"),
        ((0, 1, 4), ["0", FEWER, FEWER], "5"),
        ((1, 4, 5), [FEWER, FEWER, "5"], "10"),
        ((4, 5, 6), [FEWER, NOT_SHOWN, "6"], "15"),
        ((1, 5, 6), [FEWER, NOT_SHOWN, NOT_SHOWN], "12"),
        ((1, 1, 5), [FEWER, FEWER, "5"], NOT_SHOWN),
        ((0, 4, 4), ["0", FEWER, FEWER], NOT_SHOWN),
        ((0, 0, 4), ["0", "0", FEWER], FEWER),
        ((5, 0, 6), ["5", "0", "6"], "11"),
    ],
)
def test_groups_of_0_1_4_5_6(values, cells, total):
    assert displayed(protect(group(*values))) == (cells, total)


def test_same_input_gives_the_same_table():
    counts = {"entry": 3, "professional": 7, "leadership": 7, "board": 2}

    assert protect(counts) == protect(dict(counts))


def test_explicit_total_with_a_large_unlisted_rest_hides_nothing():
    table = protect({"entry": 10, "professional": 20}, total=50)

    assert displayed(table) == (["10", "20"], "50")


def test_explicit_total_with_a_small_unlisted_rest_hides_a_cell():
    # 32 - 10 - 20 would show that 2 people are outside the listed cells.
    table = protect({"entry": 10, "professional": 20}, total=32)

    assert displayed(table) == ([NOT_SHOWN, "20"], "32")


def test_explicit_total_rest_covers_a_small_cell():
    # 30 - 20 = 10 is the small cell plus 7 unlisted people: the 3 stays hidden.
    table = protect({"entry": 3, "professional": 20}, total=30)

    assert displayed(table) == ([FEWER, "20"], "30")


@pytest.mark.parametrize(
    ("counts", "total"),
    [
        ({"entry": -1, "board": 6}, None),
        ({"entry": 2.0, "board": 6}, None),
        ({"entry": "2", "board": 6}, None),
        ({"entry": True, "board": 6}, None),
        ({"entry": 2, "board": 6}, 7),
        ({"entry": 2, "board": 6}, -8),
        ({"entry": 2, "board": 6}, 8.0),
    ],
)
def test_protect_rejects_bad_counts_and_totals(counts, total):
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the value
        protect(counts, total=total)


# Brute force: a reader working from the published page


def _assignments(ranges, cap):
    """Every tuple drawn from ranges whose sum is at most cap."""
    if not ranges:
        yield ()
        return
    first, *others = ranges
    for value in first:
        if value > cap:
            break
        for tail in _assignments(others, cap - value):
            yield (value, *tail)


def _possible_values(ranges, sums):
    """For each range, the values it takes in some assignment adding up to a sum."""
    seen = [set() for _ in ranges]
    for assignment in _assignments(ranges, max(sums, default=-1)):
        if sum(assignment) in sums:
            for values, value in zip(seen, assignment, strict=True):
                values.add(value)
    return seen


@functools.cache
def _reader(cells: tuple[str, ...], total: str, has_rest: bool, labels: bool):
    """What a reader can believe about each hidden cell from the published text.

    With labels, the reader knows "fewer than 5" means 1 to 4 and a "not shown"
    cell is at least 5 (zero is always shown, so hidden means at least 1 at the
    very least). Without labels, the reader only knows hidden cells are at least 1
    and needs a shown total. An unlisted rest is one more part of at least 1.
    """
    bound = int(total) if total.isdigit() else CAP
    shown = sum(int(text) for text in cells if text.isdigit())
    hidden = [text for text in cells if not text.isdigit()]
    if labels:
        ranges = [
            range(1, SMALL) if text == FEWER else range(SMALL, bound + 1)
            for text in hidden
        ]
    else:
        ranges = [range(1, bound + 1) for _ in hidden]
    if has_rest:
        ranges.append(range(1, bound + 1))
    if total.isdigit():
        totals = {int(total)}
    elif total == FEWER:
        totals = set(range(1, SMALL))
    else:
        # A total only says "not shown" when it is 5 or more, or 4 over four parts.
        totals = set(range(SMALL - 1, CAP + 1))
    return _possible_values(ranges, {t - shown for t in totals if t >= shown})


def _check_no_disclosure(counts: dict[str, int], total: int) -> None:
    table = protect(counts, total=total)
    rest = total - sum(counts.values())
    figures = [*table.cells.values(), table.total]
    truths = [*counts.values(), total]
    case = (counts, total, displayed(table))

    for fig, truth in zip(figures, truths, strict=True):
        assert not (fig.shown and 0 < fig.value < SMALL), case
        assert not fig.shown or fig.value == truth, case
        assert fig.shown or truth > 0, case  # hidden figures are never zero

    if table.total.shown:
        derived = total - sum(f.value for f in table.cells.values() if f.shown)
        assert not 0 < derived < SMALL, case

    hidden_truths = [
        count
        for count, fig in zip(counts.values(), table.cells.values(), strict=True)
        if not fig.shown
    ]
    if rest:
        hidden_truths.append(rest)
    cells_text, total_text = displayed(table)
    readers = [True, False] if table.total.shown else [True]
    for labels in readers:
        beliefs = list(_reader(tuple(cells_text), total_text, rest > 0, labels))
        for truth, belief in zip(hidden_truths, beliefs, strict=True):
            assert truth in belief, case  # the reader's model is sound
        if rest:
            # Working out the unlisted rest is fine unless it is small.
            rest_belief = beliefs.pop()
            assert len(rest_belief) >= 2 or rest >= SMALL, (case, labels, beliefs)
        for belief in beliefs:
            assert len(belief) >= 2, (case, labels, beliefs)


@pytest.mark.parametrize("size", [3, 4])
def test_no_group_reveals_a_hidden_count_by_subtraction(size):
    checked = 0
    for values in itertools.product(range(8), repeat=size):
        _check_no_disclosure(group(*values), sum(values))
        checked += 1

    assert checked == 8**size


def test_no_group_with_an_unlisted_rest_reveals_a_hidden_count():
    checked = 0
    for *values, rest in itertools.product(range(8), repeat=4):
        _check_no_disclosure(group(*values), sum(values) + rest)
        checked += 1

    assert checked == 8**4


def test_a_part_of_a_published_whole_never_lets_the_rest_be_worked_out():
    # Retained or well-paid people are part of the people hired, whose total is
    # published: neither the part nor whole - part may show as a count from 1 to 4.
    from grants.suppression import part_of

    for whole in range(0, 13):
        whole_figure = figure(whole)
        for part in range(0, whole + 1):
            shown = part_of(part, whole, whole_figure)
            assert not (shown.shown and 1 <= shown.value <= 4), (part, whole)
            if shown.shown and whole_figure.shown:
                assert not 1 <= whole - shown.value <= 4, (part, whole)
            if shown.shown:
                assert shown.value == part


def test_a_part_shows_when_both_it_and_the_rest_are_safe():
    from grants.suppression import part_of

    assert str(part_of(10, 24, figure(24))) == "10"
    assert str(part_of(0, 24, figure(24))) == "0"
    assert str(part_of(24, 24, figure(24))) == "24"
    assert str(part_of(20, 24, figure(24))) == "not shown"
    assert str(part_of(2, 24, figure(24))) == "fewer than 5"


def test_nested_counts_never_let_a_small_difference_be_worked_out():
    # People hired (published), still in post at 6 months, still at 12 months: no
    # shown figure, and no difference between two shown figures, is 1 to 4.
    from grants.suppression import nested_parts

    for hired in range(0, 15):
        hired_figure = figure(hired)
        for six in range(0, hired + 1):
            for twelve in range(0, six + 1):
                six_shown, twelve_shown = nested_parts(
                    hired, hired_figure, [six, twelve]
                )
                shown = [hired] if hired_figure.shown else []
                for true_value, shown_figure in (
                    (six, six_shown),
                    (twelve, twelve_shown),
                ):
                    if shown_figure.shown:
                        assert shown_figure.value == true_value
                        shown.append(true_value)
                for value in shown:
                    assert not 1 <= value <= 4, (hired, six, twelve)
                for a in shown:
                    for b in shown:
                        assert not 1 <= a - b <= 4, (hired, six, twelve, shown)


def test_twelve_months_is_hidden_when_it_would_reveal_people_who_left():
    from grants.suppression import nested_parts

    six, twelve = nested_parts(20, figure(20), [17, 17])
    assert not six.shown
    assert not twelve.shown
