"""The field blocks program staff build an application form from.

Each field's stable id is its StreamField block id, so answers stay attached to their
question when staff reorder or reword the form.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

FILE_TYPES = [
    ("pdf", "PDF"),
    ("docx", "Word (.docx)"),
    ("xlsx", "Excel (.xlsx)"),
    ("odt", "OpenDocument text (.odt)"),
    ("ods", "OpenDocument spreadsheet (.ods)"),
    ("png", "PNG image"),
    ("jpg", "JPEG image"),
]


class FieldBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Question"), max_length=300)
    help_text = blocks.TextBlock(label=_("Hint"), required=False, max_length=1000)
    required = blocks.BooleanBlock(label=_("Required"), required=False, default=True)
    identifying = blocks.BooleanBlock(
        label=_("Identifying"),
        required=False,
        default=False,
        help_text=_(
            "Tick when the answer could reveal who the applicant is. Hidden from "
            "panelists when the round uses blind review."
        ),
    )


HIRING_HELP = _(
    "Optional. The answer fills in the survivor-hiring commitment staff confirm "
    "when the application is funded."
)


def hiring_choice(choices):
    """Which part of the hiring commitment an answer proposes (optional)."""
    return blocks.ChoiceBlock(
        choices=choices,
        required=False,
        label=_("Hiring commitment field"),
        help_text=HIRING_HELP,
    )


class ShortTextBlock(FieldBlock):
    max_length = blocks.IntegerBlock(
        label=_("Most characters"), default=200, min_value=1, max_value=1000
    )

    class Meta:
        icon = "pilcrow"
        label = _("Short text")


class LongTextBlock(FieldBlock):
    word_limit = blocks.IntegerBlock(
        label=_("Word limit"), default=300, min_value=1, max_value=5000
    )

    class Meta:
        icon = "doc-full"
        label = _("Long text")


class NumberBlock(FieldBlock):
    min_value = blocks.IntegerBlock(label=_("Smallest"), required=False)
    max_value = blocks.IntegerBlock(label=_("Largest"), required=False)
    hiring = hiring_choice(
        [
            ("entry_positions", _("Entry-level positions")),
            ("professional_positions", _("Professional positions")),
            ("leadership_positions", _("Leadership positions")),
            ("board_positions", _("Board or advisory seats")),
        ]
    )

    class Meta:
        icon = "order"
        label = _("Number")


class CurrencyBlock(FieldBlock):
    min_value = blocks.DecimalBlock(
        label=_("Smallest amount"), required=False, decimal_places=2
    )
    max_value = blocks.DecimalBlock(
        label=_("Largest amount"), required=False, decimal_places=2
    )
    hiring = hiring_choice([("wage_floor", _("Wage floor (an hour)"))])

    class Meta:
        icon = "tag"
        label = _("Amount in dollars")


class DateBlock(FieldBlock):
    hiring = hiring_choice([("target_date", _("Date to fill positions by"))])

    class Meta:
        icon = "date"
        label = _("Date")


class ChoiceBlock(FieldBlock):
    choices = blocks.ListBlock(
        blocks.CharBlock(max_length=200), label=_("Options"), min_num=2
    )

    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultiChoiceBlock(FieldBlock):
    choices = blocks.ListBlock(
        blocks.CharBlock(max_length=200), label=_("Options"), min_num=2
    )
    hiring = hiring_choice([("supports", _("Supports offered"))])

    class Meta:
        icon = "tick-inverse"
        label = _("Multiple choice")


class YesNoBlock(FieldBlock):
    class Meta:
        icon = "help"
        label = _("Yes or no")


class FileBlock(FieldBlock):
    allowed_types = blocks.MultipleChoiceBlock(
        choices=FILE_TYPES, default=["pdf", "docx"], label=_("Allowed file types")
    )
    max_size_mb = blocks.IntegerBlock(
        label=_("Largest file (MB)"), default=10, min_value=1, max_value=25
    )

    class Meta:
        icon = "doc-empty-inverse"
        label = _("File upload")


class BudgetTableBlock(FieldBlock):
    max_rows = blocks.IntegerBlock(
        label=_("Most rows"), default=12, min_value=1, max_value=40
    )

    class Meta:
        icon = "table"
        label = _("Budget table")


class SectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Section title"), max_length=120)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)

    class Meta:
        icon = "title"
        label = _("Section")


class HelpTextBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ul", "ol"], label=_("Content")
    )

    class Meta:
        icon = "info-circle"
        label = _("Help text")


class ApplicationFieldsBlock(blocks.StreamBlock):
    section = SectionBlock()
    help_text = HelpTextBlock()
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    number = NumberBlock()
    currency = CurrencyBlock()
    date = DateBlock()
    choice = ChoiceBlock()
    multi_choice = MultiChoiceBlock()
    yes_no = YesNoBlock()
    file = FileBlock()
    budget_table = BudgetTableBlock()


class EligibilityQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=300)
    ineligible_answer = blocks.ChoiceBlock(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        label=_("The answer that makes an organization ineligible"),
    )
    message = blocks.TextBlock(
        label=_("Kind message shown when ineligible"),
        help_text=_("Explain why, and point to other help or funding where you can."),
    )

    class Meta:
        icon = "help"
        label = _("Eligibility question")
