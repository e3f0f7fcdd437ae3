"""Factories with realistic defaults for the test suite."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from grants.models import Fund, FundingRound
from portal.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for name in extracted:
            self.groups.add(Group.objects.get(name=name))


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund
        django_get_or_create = ("slug",)

    name = "Survivor services"
    slug = "survivor-services"
    framework_goal = Fund.FrameworkGoal.SURVIVOR_SERVICES
    description = "Services led by and for survivors of trafficking."


class FundingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingRound

    fund = factory.SubFactory(FundFactory)
    title = factory.Sequence(lambda n: f"Survivor Services Grants {2027 + n}")
    reference_prefix = factory.Sequence(lambda n: f"T{n}")
    budget = Decimal("500000.00")
    min_award = Decimal("10000.00")
    max_award = Decimal("50000.00")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    status = FundingRound.Status.PUBLISHED

    class Params:
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=90)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=5)),
        )
        upcoming = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=5)),
            closes_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=60)),
        )


def application_form_blocks():
    """A form that uses every kind of question, in three sections."""
    return [
        (
            "section",
            {"title": "Your organization's work", "intro": "Tell us what you do."},
        ),
        (
            "help_text",
            {
                "text": "<p>Write in your own words. Do not include names of people you serve.</p>"
            },
        ),
        (
            "long_text",
            {
                "label": "What will you do with the grant?",
                "help_text": "",
                "required": True,
                "identifying": False,
                "word_limit": 50,
            },
        ),
        (
            "short_text",
            {
                "label": "Who leads the work?",
                "help_text": "",
                "required": True,
                "identifying": True,
                "max_length": 120,
            },
        ),
        (
            "number",
            {
                "label": "How many people will you serve?",
                "help_text": "",
                "required": True,
                "identifying": False,
                "min_value": 1,
                "max_value": 100000,
            },
        ),
        (
            "yes_no",
            {
                "label": "Are people with lived experience on your staff?",
                "help_text": "",
                "required": True,
                "identifying": False,
            },
        ),
        (
            "choice",
            {
                "label": "Main service",
                "help_text": "",
                "required": True,
                "identifying": False,
                "choices": ["Housing", "Legal help", "Healing"],
            },
        ),
        (
            "multi_choice",
            {
                "label": "Languages you work in",
                "help_text": "",
                "required": False,
                "identifying": False,
                "choices": ["English", "Spanish", "Somali", "Hmong"],
            },
        ),
        ("section", {"title": "Budget and documents", "intro": ""}),
        (
            "currency",
            {
                "label": "Other funding you have",
                "help_text": "",
                "required": False,
                "identifying": False,
                "min_value": None,
                "max_value": None,
            },
        ),
        (
            "date",
            {
                "label": "When will the work start?",
                "help_text": "",
                "required": True,
                "identifying": False,
            },
        ),
        (
            "budget_table",
            {
                "label": "Budget",
                "help_text": "",
                "required": True,
                "identifying": False,
                "max_rows": 10,
            },
        ),
        (
            "file",
            {
                "label": "Budget document",
                "help_text": "",
                "required": True,
                "identifying": False,
                "allowed_types": ["pdf", "docx", "png"],
                "max_size_mb": 2,
            },
        ),
    ]


class ApplicationFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.ApplicationForm"

    funding_round = factory.SubFactory(FundingRoundFactory)
    fields = factory.LazyFunction(application_form_blocks)
    eligibility = factory.LazyFunction(
        lambda: [
            (
                "question",
                {
                    "question": "Is your organization based in Minneapolis or serving Minneapolis residents?",
                    "ineligible_answer": "no",
                    "message": "This round funds work with Minneapolis residents. The state's Safe Harbor grants may fit your work.",
                },
            )
        ]
    )


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An organization; pass ``owner=user`` to give it an owner with their grants."""

    class Meta:
        model = "grants.Organization"
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"Northside Healing Collective {n} Inc.")
    public_name = factory.Sequence(lambda n: f"Northside Healing Collective {n}")
    ein = factory.Sequence(lambda n: f"41-{1000000 + n:07d}")
    address_line1 = "2100 Plymouth Ave N"
    city = "Minneapolis"
    state = "MN"
    postal_code = "55411"
    mission = "Peer support and housing navigation led by survivors of trafficking."
    survivor_led = True
    contact_name = factory.Faker("name")
    contact_email = factory.Sequence(lambda n: f"office{n}@collective.example.org")

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create and extracted:
            MembershipFactory(organization=self, user=extracted, role="owner")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member with exactly the object permissions of their role (owner or editor)."""

    class Meta:
        model = "grants.Membership"
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = "editor"

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        # Grants come from the same helper the services use, so a factory-made
        # member can do exactly what an invited one can.
        from grants.services import grant_role_permissions

        if create:
            grant_role_permissions(self)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application as submit_application leaves it (status eligible by
    default, ready for a panel). Pass ``form=`` to answer a given form."""

    class Meta:
        model = "applications.Application"
        exclude = ("form",)

    form = factory.SubFactory(ApplicationFormFactory)
    funding_round = factory.LazyAttribute(lambda o: o.form.funding_round)
    organization = factory.SubFactory(OrganizationFactory)
    status = "eligible"
    title = factory.Sequence(lambda n: f"Healing circles {n}")
    amount_requested = Decimal("20000.00")
    reference = factory.Sequence(lambda n: f"P{n:05d}")
    submitted_at = factory.LazyFunction(timezone.now)
    form_snapshot = factory.LazyAttribute(lambda o: list(o.form.fields.raw_data))
    form_version = factory.LazyAttribute(lambda o: o.form.version)


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.Panel"

    funding_round = factory.SubFactory(FundingRoundFactory)
    name = factory.Sequence(lambda n: f"Survivor review panel {n}")
    blind_review = True
    reviewers_per_application = 2


def rubric_levels(scale_max=5):
    return "\n".join(f"Level {n}: description" for n in range(1, scale_max + 1))


class RubricFactory(factory.django.DjangoModelFactory):
    """A rubric; ``weights=[...]`` makes one criterion per weight (default 2, 1)."""

    class Meta:
        model = "applications.Rubric"
        skip_postgeneration_save = True

    funding_round = factory.SubFactory(FundingRoundFactory)
    scale_max = 5
    instructions = "Score what the application says, not what you imagine."

    @factory.post_generation
    def weights(self, create, extracted, **kwargs):
        if not create:
            return
        from applications.models import Criterion

        for order, weight in enumerate(extracted or [Decimal("2"), Decimal("1")]):
            Criterion.objects.create(
                rubric=self,
                sort_order=order,
                title=f"Criterion {order + 1}",
                guidance="Look for a clear plan led by survivors.",
                weight=Decimal(weight),
                level_descriptions=rubric_levels(self.scale_max),
            )


class PanelMembershipFactory(factory.django.DjangoModelFactory):
    """A seat on a panel, with the role group and (for chairs) the chair grant."""

    class Meta:
        model = "applications.PanelMembership"
        skip_postgeneration_save = True

    panel = factory.SubFactory(PanelFactory)
    user = factory.SubFactory(UserFactory)
    role = "panelist"
    stipend_rate = Decimal("40.00")

    @factory.post_generation
    def grants(self, create, extracted, **kwargs):
        if not create:
            return
        from guardian.shortcuts import assign_perm

        from portal import roles

        group = roles.PANEL_CHAIRS if self.role == "chair" else roles.PANELISTS
        self.user.groups.add(Group.objects.get(name=group))
        if self.role == "chair":
            assign_perm("applications.chair_panel", self.user, self.panel)
