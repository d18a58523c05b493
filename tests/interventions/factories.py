"""Factories of the interventions: sessions and registrations."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accompagnement.axes.models import Axis
from accompagnement.interventions.models import (
    Intervention,
    InterventionFormat,
    InterventionStatus,
    Registration,
)
from tests.accounts.factories import TeamMemberFactory, UserFactory


class InterventionFactory(DjangoModelFactory):
    """An open video session for every DDI, in 10 days, 2 places. Traits: `draft=True`,
    `past=True` (held yesterday, still open: attendance to record)."""

    class Meta:
        model = Intervention
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Atelier restitutions INF-BUD n°{n}")
    description = "Lire et vérifier les restitutions de fin de gestion."
    axis = Axis.TOOL
    format = InterventionFormat.VIDEO
    link = "https://visio.example.org/atelier"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    duration_minutes = 120
    capacity = 2
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=1))
    status = InterventionStatus.OPEN
    created_by = factory.LazyFunction(lambda: TeamMemberFactory().user)

    class Params:
        draft = factory.Trait(status=InterventionStatus.DRAFT)
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
        )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.set(extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create and extracted:
            self.programmes.set(extracted)

    @factory.post_generation
    def articles(self, create, extracted, **kwargs):
        if create and extracted:
            self.articles.set(extracted)


class RegistrationFactory(DjangoModelFactory):
    """A confirmed place (no capacity check: use the service for that)."""

    class Meta:
        model = Registration

    intervention = factory.SubFactory(InterventionFactory)
    person = factory.SubFactory(UserFactory)
    ddi = factory.LazyAttribute(lambda o: o.person.ddi)
    registered_by = factory.LazyAttribute(lambda o: o.person)
