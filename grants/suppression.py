"""Public counts of people, with small counts hidden so no one can be singled out.

Primary suppression hides every count from 1 to 4. Secondary suppression then hides
more figures in a group (cells plus their published total) until subtraction can no
longer reveal a small count or pin down any hidden cell.

Readers see two kinds of hidden figure and can tell them apart: "fewer than 5" is a
count from 1 to 4, and a cell "not shown" by secondary suppression is at least 5 (zero
is always shown). The checks below assume the reader uses both facts, which is
stricter than "hidden cells are at least 1": with cells {4, 4, 20} and total 28,
showing 20 would let anyone work out that both other cells are exactly 4.
"""

from dataclasses import dataclass
from math import inf

from django.utils.translation import gettext_lazy as _

SMALL = 5  # counts below this and above zero are hidden

NOTE = _(
    "To protect people's privacy, any count from 1 to 4 is shown as “fewer than 5”, "
    "and some other figures are hidden so small counts cannot be worked out by "
    "subtraction."
)

_SHOWN = ""
_PRIMARY = "small"
_SECONDARY = "secondary"


@dataclass(frozen=True)
class Figure:
    value: int | None
    shown: bool
    reason: str

    def __str__(self):
        if self.shown:
            return str(self.value)
        if self.reason == _PRIMARY:
            return str(_("fewer than 5"))
        return str(_("not shown"))


@dataclass(frozen=True)
class Table:
    cells: dict[str, Figure]
    total: Figure

    @property
    def any_hidden(self) -> bool:
        return not self.total.shown or any(not f.shown for f in self.cells.values())


def is_small(count: int) -> bool:
    """A count from 1 to 4: never shown, nor left to be worked out."""
    return 0 < count < SMALL


def figure(count: int) -> Figure:
    """Show a standalone count, or "fewer than 5" when it is from 1 to 4."""
    _check_count(count)
    if is_small(count):
        return Figure(value=None, shown=False, reason=_PRIMARY)
    return Figure(value=count, shown=True, reason=_SHOWN)


def protect(counts: dict[str, int], total: int | None = None) -> Table:
    """Hide a group's small cells and whatever else would let readers derive them.

    Args:
        counts: the cells, in display order.
        total: the published total when it is computed elsewhere; it may exceed the
            sum of the cells (the unlisted rest is then treated as one more hidden
            part). Defaults to the sum of the cells.

    Raises:
        ValueError: a count or the total is negative or not an int, or the total is
            smaller than the sum of the cells.
    """
    for count in counts.values():
        _check_count(count)
    listed = sum(counts.values())
    if total is None:
        total = listed
    _check_count(total)
    if total < listed:
        raise ValueError(
            f"Total {total} is smaller than the sum of its cells {listed}."
        )
    rest = total - listed

    hidden = {name: _PRIMARY for name, count in counts.items() if is_small(count)}
    total_hidden = is_small(total)
    while not total_hidden and not _safe(counts, hidden, rest):
        candidates = [
            name for name, count in counts.items() if count and name not in hidden
        ]
        if not candidates:
            total_hidden = True
            break
        # min() keeps the first of equal counts, so ties follow the group's order.
        hidden[min(candidates, key=counts.__getitem__)] = _SECONDARY

    if not total_hidden:
        cells = {
            name: Figure(value=None, shown=False, reason=hidden[name])
            if name in hidden
            else Figure(value=count, shown=True, reason=_SHOWN)
            for name, count in counts.items()
        }
        return Table(cells=cells, total=Figure(value=total, shown=True, reason=_SHOWN))

    # Without a total nothing can be subtracted, so each cell stands on its own.
    cells = {name: figure(count) for name, count in counts.items()}
    return Table(cells=cells, total=_hidden_total(counts, total, rest))


def nested_parts(whole: int, whole_figure: Figure, parts: list[int]) -> list:
    """Counts nested in a published whole: whole >= parts[0] >= parts[1] >= ...

    For example people hired, of whom people still in post at 6 months, of whom
    people still in post at 12 months. No shown figure may be 1 to 4, and no
    difference between two shown figures may be either (people who left, worked
    out by subtraction): while one is, the inner figure of that pair is hidden.
    """
    values = [whole, *parts]
    shown = [whole_figure.shown] + [not is_small(value) for value in parts]
    changed = True
    while changed:
        changed = False
        for outer in range(len(values)):
            for inner in range(outer + 1, len(values)):
                pair_shown = shown[outer] and shown[inner]
                if pair_shown and is_small(values[outer] - values[inner]):
                    shown[inner] = False
                    changed = True
    return [
        figure(value)  # shown, or "fewer than 5"
        if is_shown or is_small(value)
        else Figure(value=None, shown=False, reason=_SECONDARY)
        for value, is_shown in zip(parts, shown[1:], strict=True)
    ]


def part_of(part: int, whole: int, whole_figure: Figure) -> Figure:
    """One count that is part of a published whole (see nested_parts)."""
    return nested_parts(whole, whole_figure, [part])[0]


def _check_count(count) -> None:
    # bool is an int subclass; True as a head-count is always a caller's mistake.
    if not isinstance(count, int) or isinstance(count, bool):
        raise ValueError(f"A count must be a whole number, not {count!r}.")
    if count < 0:
        raise ValueError(f"A count cannot be negative: {count}.")


def _safe(counts: dict[str, int], hidden: dict[str, str], rest: int) -> bool:
    """Whether total minus the shown cells reveals nothing small about hidden ones."""
    if not hidden and not is_small(rest):
        return True  # nothing hidden; an unlisted rest of 5 or more may be derived
    parts = [_reader_range(reason) for reason in hidden.values()]
    combined = sum(counts[name] for name in hidden) + rest
    if rest:
        parts.append((1, inf))  # the unlisted rest: unlabelled, at least 1
    return (
        len(parts) >= 2
        and combined >= SMALL
        and combined > len(parts)
        and not _pins_down(parts, combined, combined)
    )


def _hidden_total(counts: dict[str, int], total: int, rest: int) -> Figure:
    if not is_small(total):
        return Figure(value=None, shown=False, reason=_SECONDARY)
    # "fewer than 5" over four cells each "fewer than 5" means every cell is 1, so
    # such a total must not say how small it is.
    parts = [_reader_range(_PRIMARY) for count in counts.values() if count]
    if rest:
        parts.append((1, inf))
    if _pins_down(parts, 1, SMALL - 1):
        return Figure(value=None, shown=False, reason=_SECONDARY)
    return Figure(value=None, shown=False, reason=_PRIMARY)


def _reader_range(reason: str) -> tuple[int, float]:
    """What a reader knows about a hidden cell from its label alone."""
    return (1, SMALL - 1) if reason == _PRIMARY else (SMALL, inf)


def _pins_down(parts: list[tuple[int, float]], low: int, high: int) -> bool:
    """Whether parts known to lie in their ranges and to add up to between low and
    high leave any single part with only one possible value."""
    for i, (lo, hi) in enumerate(parts):
        others = parts[:i] + parts[i + 1 :]
        least = max(lo, low - sum(other_hi for _other_lo, other_hi in others))
        most = min(hi, high - sum(other_lo for other_lo, _other_hi in others))
        if most <= least:
            return True
    return False
