"""Balanced reviewer assignment: the pure algorithm, with no database in sight.

Each application needs ``per_application`` distinct reviewers. A pair is allowed unless
it is blocked (a declared conflict, a member of the applying organization) or already
exists. Existing pairs are fixed: a re-run adds reviewers for late additions and fills
gaps, and never moves a review someone has started.

The plan is built in two steps. A greedy pass gives every application as many reviewers
as it can have, always choosing the least-loaded allowed panelist. Then exchange paths
move new pairs from busier to less busy panelists (A hands an application to B, B hands
another to C, ...) until no path lowers the gap between any two panelists' loads by
two or more. Each move strictly lowers the sum of squared loads, so it ends, and at the
end no panelist could take work off a panelist two or more above them.
"""

import hashlib
from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass
class Plan:
    new_pairs: list[tuple[int, int]] = field(
        default_factory=list
    )  # (application, panelist)
    shortfalls: dict[int, int] = field(default_factory=dict)  # application -> missing
    loads: dict[int, int] = field(default_factory=dict)  # panelist -> total assignments

    @property
    def digest(self) -> str:
        """A fingerprint of the new pairs, so what was previewed is what is applied."""
        text = ";".join(f"{app}:{person}" for app, person in self.new_pairs)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def balanced_assignment(
    *,
    applications: list[int],
    panelists: list[int],
    per_application: int,
    existing: set[tuple[int, int]] = frozenset(),
    blocked: set[tuple[int, int]] = frozenset(),
) -> Plan:
    """Plan new (application, panelist) pairs so loads stay as even as possible."""
    panelists = sorted(set(panelists))
    applications = sorted(set(applications))
    load = dict.fromkeys(panelists, 0)
    reviewers = defaultdict(set)
    for app, person in existing:
        reviewers[app].add(person)
        if person in load:
            load[person] += 1
    new = defaultdict(set)  # application -> panelists added by this plan

    def allowed(app, person):
        return (app, person) not in blocked and person not in reviewers[app]

    # Hardest applications first: the fewest allowed panelists.
    order = sorted(
        applications, key=lambda a: (sum(allowed(a, p) for p in panelists), a)
    )
    shortfalls = {}
    for app in order:
        need = per_application - len(reviewers[app])
        candidates = sorted(
            (p for p in panelists if allowed(app, p)), key=lambda p: (load[p], p)
        )
        for person in candidates[: max(need, 0)]:
            reviewers[app].add(person)
            new[app].add(person)
            load[person] += 1
        missing = per_application - len(reviewers[app])
        if missing > 0:
            shortfalls[app] = missing

    while _rebalance_once(panelists, applications, load, reviewers, new, blocked):
        pass

    pairs = sorted((app, person) for app, people in new.items() for person in people)
    return Plan(new_pairs=pairs, shortfalls=shortfalls, loads=dict(load))


def _rebalance_once(panelists, applications, load, reviewers, new, blocked) -> bool:
    """Find one exchange path from a busy panelist to one at least two lighter."""
    # Which movable applications each panelist holds (only pairs this plan added).
    holds = defaultdict(list)
    for app in applications:
        for person in new[app]:
            holds[person].append(app)
    for start in sorted(panelists, key=lambda p: (-load[p], p)):
        parent = {start: None}
        queue = deque([start])
        while queue:
            giver = queue.popleft()
            for app in sorted(holds[giver]):
                for taker in panelists:
                    if taker in parent or taker in reviewers[app]:
                        continue
                    if (app, taker) in blocked:
                        continue
                    parent[taker] = (giver, app)
                    if load[taker] <= load[start] - 2:
                        _apply_path(taker, parent, load, reviewers, new)
                        return True
                    queue.append(taker)
    return False


def _apply_path(end, parent, load, reviewers, new) -> None:
    taker = end
    load[end] += 1
    while parent[taker] is not None:
        giver, app = parent[taker]
        reviewers[app].discard(giver)
        new[app].discard(giver)
        reviewers[app].add(taker)
        new[app].add(taker)
        taker = giver
    load[taker] -= 1
