"""Factories of the campaign calendar: campaigns, milestones, acknowledgements."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from accompagnement.campaigns.models import Acknowledgement, Campaign, CampaignKind, Milestone
from ddi.enums import Confidence
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ["fiscal_year", "kind"]

    fiscal_year = 2011
    kind = CampaignKind.YEAR_END
    title = factory.LazyAttribute(lambda o: f"{CampaignKind(o.kind).label} {o.fiscal_year}")


class MilestoneFactory(DjangoModelFactory):
    """A milestone for every DDI unless `ddi_kinds`, `programmes` or `service_centres` say
    otherwise. Traits: `indicative=True` (a typical date), `informational=True`."""

    class Meta:
        model = Milestone
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"jalon-{n}")
    title = factory.Sequence(lambda n: f"Date limite de saisie des DA n°{n}")
    explanation = "Saisissez vos demandes d'achat dans Chorus Formulaires."
    due_date = date(2011, 11, 18)
    source = "test"
    confidence = Confidence.HIGH

    class Params:
        indicative = factory.Trait(
            confidence=Confidence.LOW, date_note="mi/fin novembre 2011 (typique)"
        )
        informational = factory.Trait(needs_acknowledgement=False)

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create and extracted:
            self.programmes.set(extracted)

    @factory.post_generation
    def service_centres(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_centres.set(extracted)


class AcknowledgementFactory(DjangoModelFactory):
    class Meta:
        model = Acknowledgement

    milestone = factory.SubFactory(MilestoneFactory)
    ddi = factory.SubFactory(DDIFactory)
    acknowledged_by = factory.SubFactory(UserFactory, ddi=factory.SelfAttribute("..ddi"))
