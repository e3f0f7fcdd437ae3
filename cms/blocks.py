"""The small block set editors build public pages with."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
        label=_("Level"),
    )

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[
            ("info", _("Information")),
            ("important", _("Important")),
            ("safety", _("Safety")),
        ],
        default="info",
        label=_("Tone"),
    )
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Message"))

    class Meta:
        icon = "warning"
        template = "cms/blocks/callout.html"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Answer"))


class FAQBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120, required=False)
    items = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        template = "cms/blocks/faq.html"


class ContactCardBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"), max_length=120)
    description = blocks.TextBlock(label=_("What they help with"), required=False)
    phone = blocks.CharBlock(label=_("Phone"), max_length=40, required=False)
    text_number = blocks.CharBlock(
        label=_("Text message number"), max_length=40, required=False
    )
    email = blocks.EmailBlock(label=_("Email"), required=False)
    website = blocks.URLBlock(label=_("Website"), required=False)
    hours = blocks.CharBlock(label=_("Hours"), max_length=120, required=False)

    class Meta:
        icon = "user"
        template = "cms/blocks/contact_card.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe the image for people who cannot see it. Required."),
    )
    caption = blocks.CharBlock(label=_("Caption"), max_length=250, required=False)

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("alt_text") or "").strip():
            raise ValidationError(_("Add alternative text for this image."))
        return value


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        label=_("Paragraph"),
        template="cms/blocks/paragraph.html",
    )
    callout = CalloutBlock()
    faq = FAQBlock(label=_("Questions and answers"))
    contact = ContactCardBlock(label=_("Contact card"))
    image = ImageBlock()


class LinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Page"))
    label = blocks.CharBlock(
        label=_("Label"),
        max_length=60,
        required=False,
        help_text=_("Leave blank to use the page title in each language."),
    )

    class Meta:
        icon = "link"
