import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accompagnement.axes.models import Axis
from accompagnement.partners.enums import PartnerKind, SupportActionKind
from accompagnement.partners.models import Escalation, FollowUpNote, Partner, SupportAction
from tests.support.factories import SupportRequestFactory


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"partenaire-{n}")
    name = factory.Sequence(lambda n: f"Équipe Chorus {n}")
    kind = PartnerKind.MINISTRY
    mailbox = factory.Sequence(lambda n: f"chorus-{n}@example.org")
    response_hours = 18


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    request = factory.SubFactory(SupportRequestFactory)
    partner = factory.SubFactory(PartnerFactory)
    summary = "Pouvez-vous vérifier le flux de cette demande de paiement ?"
    sent_at = factory.LazyFunction(timezone.now)
    expected_at = factory.LazyAttribute(lambda o: o.sent_at + datetime.timedelta(days=2))


class SupportActionFactory(DjangoModelFactory):
    class Meta:
        model = SupportAction

    owner = factory.SubFactory(PartnerFactory)
    title = factory.Sequence(lambda n: f"Formation Chorus Formulaires {n}")
    kind = SupportActionKind.TRAINING
    axis = Axis.TOOL
    starts_on = datetime.date(2011, 11, 15)


class FollowUpNoteFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpNote

    partner = factory.SubFactory(PartnerFactory)
    text = "Relancer sur la formation des DDCSPP aux restitutions"
    due_on = datetime.date(2011, 12, 1)
