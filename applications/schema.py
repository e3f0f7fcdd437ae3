"""Read an application form (live or snapshot) as sections of typed fields.

Forms are StreamField data: a list of {"type", "value", "id"} blocks. Working from that
raw shape lets a submitted application be shown from its snapshot exactly as it was,
however the live form has changed since.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

ABOUT_SECTION_ID = "about"
INPUT_TYPES = {
    "short_text",
    "long_text",
    "number",
    "currency",
    "date",
    "choice",
    "multi_choice",
    "yes_no",
    "file",
    "budget_table",
}


@dataclass
class Field:
    id: str
    type: str
    label: str
    help_text: str = ""
    required: bool = False
    identifying: bool = False
    options: dict = field(default_factory=dict)


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    fields: list[Field] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # help text (rich text, db format)

    @property
    def required_fields(self):
        return [f for f in self.fields if f.required]


def about_section() -> Section:
    """The first section of every application: a title and the amount asked for."""
    return Section(
        id=ABOUT_SECTION_ID,
        title=str(_("About your request")),
        intro=str(_("A short name for the work, and how much you are asking for.")),
        fields=[
            Field(
                id="title",
                type="short_text",
                label=str(_("Project title")),
                help_text=str(
                    _(
                        "Review panels may read applications without knowing who "
                        "sent them, so please leave your organization's name out "
                        "of the title."
                    )
                ),
                required=True,
                options={"max_length": 200},
            ),
            Field(
                id="amount_requested",
                type="currency",
                label=str(_("Amount requested")),
                required=True,
            ),
        ],
    )


def _plain(value):
    """ListBlock values are stored as [{"type": "item", "value": ...}]: keep the values."""
    if isinstance(value, list):
        return [
            item["value"] if isinstance(item, dict) and "value" in item else item
            for item in value
        ]
    return value


def sections_from(raw_blocks) -> list[Section]:
    """Split a form's blocks into sections; questions before any section get one."""
    sections = [about_section()]
    current = None
    for block in raw_blocks or []:
        kind, value, block_id = block["type"], block.get("value") or {}, block["id"]
        if kind == "section":
            current = Section(
                id=block_id, title=value.get("title", ""), intro=value.get("intro", "")
            )
            sections.append(current)
            continue
        if current is None:
            current = Section(id="questions", title=str(_("Your application")))
            sections.append(current)
        if kind == "help_text":
            current.notes.append(value.get("text", ""))
        elif kind in INPUT_TYPES:
            options = {
                key: _plain(val)
                for key, val in value.items()
                if key not in {"label", "help_text", "required", "identifying"}
            }
            current.fields.append(
                Field(
                    id=block_id,
                    type=kind,
                    label=value.get("label", ""),
                    help_text=value.get("help_text", "") or "",
                    required=bool(value.get("required")),
                    identifying=bool(value.get("identifying")),
                    options=options,
                )
            )
    return sections


def live_raw_blocks(application_form) -> list[dict]:
    """The live form's blocks in their stored (raw) shape."""
    return list(application_form.fields.raw_data)


def find_section(sections, section_id) -> Section | None:
    return next((s for s in sections if s.id == section_id), None)


def is_answered(field_def: Field, answers: dict, attachment_fields: set) -> bool:
    if field_def.type == "file":
        return field_def.id in attachment_fields
    value = answers.get(field_def.id)
    if field_def.type == "budget_table":
        return bool(value and value.get("rows"))
    return value not in (None, "", [], {})


def section_status(section: Section, answers: dict, attachment_fields: set) -> str:
    """not_started, in_progress or complete, as the task list shows it."""
    answered = [is_answered(f, answers, attachment_fields) for f in section.fields]
    if (
        section.fields
        and all(
            is_answered(f, answers, attachment_fields) for f in section.required_fields
        )
        and any(answered)
    ):
        return "complete"
    if any(answered):
        return "in_progress"
    return "not_started"
