"""Pages and site settings of the public site. Pages read domain data; never write it."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock, LinkBlock
from grants.models import FundingRound
from grants.public import listed_awards, public_figures
from grants.selectors import open_rounds
from grants.suppression import NOTE as SUPPRESSION_NOTE


class BasePage(Page):
    """Fields every public page shares: an introduction and a body."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two plain sentences shown under the title."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    content_panels = [*Page.content_panels, "intro", "body"]

    class Meta:
        abstract = True

    def get_meta_description(self) -> str:
        return self.search_description or self.intro[:300]


class HomePage(BasePage):
    """The front door: what the programme funds, where to find help, how to apply."""

    # One per language sits under the root, so no count limit here.
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["open_rounds"] = list(open_rounds())
        context["opportunities"] = (
            FundingOpportunityPage.objects.live()
            .filter(locale=self.locale, funding_round__in=context["open_rounds"])
            .select_related("funding_round", "funding_round__fund")
        )
        context["latest_news"] = (
            NewsPage.objects.live().filter(locale=self.locale).order_by("-date")[:3]
        )
        return context


class StandardPage(BasePage):
    """A plain content page (about, safety, privacy, how decisions are made)."""

    class Meta:
        verbose_name = _("standard page")


class ResourceIndexPage(BasePage):
    """Finding help: hotlines, services and know-your-rights information."""

    subpage_types = ["cms.ResourcePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("help resources index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        resources = ResourcePage.objects.child_of(self).live().order_by("title")
        category = request.GET.get("category", "")
        if category in ResourcePage.Category.values:
            resources = resources.filter(category=category)
        else:
            category = ""
        context["resources"] = resources
        context["categories"] = ResourcePage.Category.choices
        context["current_category"] = category
        return context


class ResourcePage(BasePage):
    """One place to get help, with how to reach it."""

    class Category(models.TextChoices):
        HOTLINE = "hotline", _("Hotlines and crisis lines")
        SERVICE = "service", _("Support services")
        LEGAL = "legal", _("Legal help")
        WORKER_RIGHTS = "worker_rights", _("Know your rights at work")
        HOUSING = "housing", _("Housing and shelter")
        HEALTH = "health", _("Health and healing")

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    text_number = models.CharField(_("text message number"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    hours = models.CharField(_("hours"), max_length=120, blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Languages the service speaks, e.g. English, Spanish, Somali."),
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("The service does not share what people tell it without consent."),
    )

    parent_page_types = ["cms.ResourceIndexPage"]
    subpage_types = []
    content_panels = [
        *Page.content_panels,
        "intro",
        MultiFieldPanel(
            [
                "category",
                "phone",
                "text_number",
                "website",
                "hours",
                "languages",
                "confidential",
            ],
            heading=_("How to reach them"),
        ),
        "body",
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("languages"),
        index.FilterField("category"),
    ]

    class Meta:
        verbose_name = _("help resource")


class FundingOpportunityIndexPage(BasePage):
    """All funding rounds, open ones first."""

    subpage_types = ["cms.FundingOpportunityPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("funding opportunities index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        pages = (
            FundingOpportunityPage.objects.child_of(self)
            .live()
            .select_related("funding_round", "funding_round__fund")
            .order_by("funding_round__closes_at")
        )
        groups = {phase: [] for phase in FundingRound.Phase.values}
        for page in pages:
            groups[page.funding_round.phase(now)].append(page)
        context["open_pages"] = groups[FundingRound.Phase.OPEN]
        context["upcoming_pages"] = groups[FundingRound.Phase.UPCOMING]
        context["closed_pages"] = list(reversed(groups[FundingRound.Phase.CLOSED]))
        return context


class FundingOpportunityPage(BasePage):
    """One funding round as the public sees it; dates and amounts come from the round."""

    funding_round = models.ForeignKey(
        "grants.FundingRound",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("funding round"),
        help_text=_("Dates, amounts and status are read from this round."),
    )
    what_we_fund = RichTextField(_("what we fund"), features=RICH_TEXT_FEATURES)
    who_can_apply = RichTextField(_("who can apply"), features=RICH_TEXT_FEATURES)
    how_decisions_are_made = RichTextField(
        _("how decisions are made"),
        features=RICH_TEXT_FEATURES,
        help_text=_("How the survivor-led panel reviews and decides."),
    )

    parent_page_types = ["cms.FundingOpportunityIndexPage"]
    subpage_types = []
    content_panels = [
        *Page.content_panels,
        "funding_round",
        "intro",
        "what_we_fund",
        "who_can_apply",
        "how_decisions_are_made",
        "body",
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("what_we_fund"),
        index.SearchField("who_can_apply"),
        index.SearchField("how_decisions_are_made"),
    ]

    class Meta:
        verbose_name = _("funding opportunity")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        funding_round = self.funding_round
        context["round"] = funding_round
        context["phase"] = funding_round.phase()
        context["is_open"] = context["phase"] == FundingRound.Phase.OPEN
        context["apply_url"] = reverse(
            "applications:start", kwargs={"round_id": funding_round.pk}
        )
        return context


class NewsIndexPage(BasePage):
    """News from the programme, newest first."""

    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.child_of(self).live().order_by("-date")
        context["news_items"] = Paginator(items, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(BasePage):
    """A news item."""

    date = models.DateField(_("date"), default=timezone.localdate)

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    content_panels = [*Page.content_panels, "date", "intro", "body"]

    class Meta:
        verbose_name = _("news item")


class AwardedGrantsPage(BasePage):
    """What was funded: awarded grants and survivor-hiring totals, for the public."""

    max_count_per_parent = 1
    subpage_types = []
    GRANTS_PER_PAGE = 25

    class Meta:
        verbose_name = _("awarded grants page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["figures"] = public_figures()
        context["grants"] = Paginator(listed_awards(), self.GRANTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["suppression_note"] = SUPPRESSION_NOTE
        context["open_data_publisher"] = settings.PORTAL_OPEN_DATA_PUBLISHER_NAME
        context["open_data_license"] = settings.PORTAL_OPEN_DATA_LICENSE
        return context


@register_setting(icon="warning")
class SafetySettings(BaseSiteSetting):
    """Hotlines, the safety message and where quick exit goes."""

    hotline_name = models.CharField(
        _("hotline name"), max_length=120, default="National Human Trafficking Hotline"
    )
    hotline_phone = models.CharField(
        _("hotline phone"), max_length=40, default="1-888-373-7888"
    )
    hotline_text_number = models.CharField(
        _("hotline text number"), max_length=40, default="233733"
    )
    emergency_number = models.CharField(
        _("emergency number"), max_length=20, default="911"
    )
    safety_message = models.CharField(
        _("extra safety message"),
        max_length=250,
        blank=True,
        help_text=_("Optional short line shown in the safety bar on every page."),
    )
    quick_exit_url = models.URLField(
        _("quick exit destination"),
        blank=True,
        help_text=_(
            "A neutral site that quick exit opens. Leave blank for the default "
            "weather site."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                "hotline_name",
                "hotline_phone",
                "hotline_text_number",
                "emergency_number",
            ],
            heading=_("Hotlines"),
        ),
        FieldPanel("safety_message"),
        FieldPanel("quick_exit_url"),
    ]

    class Meta:
        verbose_name = _("safety settings")

    def __str__(self):
        return str(_("Safety settings"))

    @property
    def exit_destination(self) -> str:
        return self.quick_exit_url or settings.PORTAL_QUICK_EXIT_URL


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """Header and footer links, editable by communications staff."""

    header_links = StreamField(
        [("link", LinkBlock())], blank=True, verbose_name=_("header links")
    )
    footer_links = StreamField(
        [("link", LinkBlock())], blank=True, verbose_name=_("footer links")
    )

    panels = [FieldPanel("header_links"), FieldPanel("footer_links")]

    class Meta:
        verbose_name = _("navigation")

    def __str__(self):
        return str(_("Navigation"))
