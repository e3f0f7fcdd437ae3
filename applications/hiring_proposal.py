"""Read the survivor-hiring commitment an applicant proposed in the application.

Staff mark form questions as proposing part of the commitment (positions per level,
wage floor, target date, supports). When the application is funded, the answers
become a proposed commitment on the award for staff to check and confirm.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from applications.schema import live_raw_blocks, sections_from
from grants.models import HiringCommitment

POSITION_KEYS = {
    "entry_positions",
    "professional_positions",
    "leadership_positions",
    "board_positions",
}


def _whole(value) -> int | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number == number.to_integral_value() and number >= 0 else None


def _supports(options: list) -> tuple[list[str], str]:
    by_label = {
        str(label).casefold(): key for key, label in HiringCommitment.Support.choices
    }
    keys, others = [], []
    for option in options or []:
        key = by_label.get(str(option).casefold())
        if key:
            keys.append(key)
        else:
            others.append(str(option))
    return keys, ", ".join(others)[:300]


def proposal_from(application) -> dict | None:
    """The commitment the answers propose, or None when they propose no position."""
    raw = application.form_snapshot or live_raw_blocks(
        application.funding_round.application_form
    )
    answers = application.answers or {}
    values = {}
    for section in sections_from(raw):
        for field_def in section.fields:
            target = field_def.options.get("hiring")
            answer = answers.get(field_def.id)
            if not target or answer in (None, "", []):
                continue
            if target in POSITION_KEYS:
                count = _whole(answer)
                if count is not None:
                    values[target] = values.get(target, 0) + count
            elif target == "wage_floor":
                try:
                    values["wage_floor"] = Decimal(str(answer))
                except InvalidOperation:
                    continue
            elif target == "target_date":
                try:
                    values["target_date"] = date.fromisoformat(str(answer))
                except ValueError:
                    continue
            elif target == "supports" and isinstance(answer, list):
                values["supports"], values["other_supports"] = _supports(answer)
    if not any(values.get(key) for key in POSITION_KEYS):
        return None
    return values
