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
