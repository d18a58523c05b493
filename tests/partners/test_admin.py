"""The partners in the pilot's admin: the directory with its contacts inline, escalations
read only, the support actions and follow-ups listed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import user_upsert
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import PartnerContact
from tests.partners.factories import (
    EscalationFactory,
    FollowUpNoteFactory,
    PartnerFactory,
    SupportActionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_pilot():
    user, _ = user_upsert(
        email="pilote.admin@example.org", first_name="P", last_name="Admin", role=Role.PILOT
    )
    return user


def test_the_pilot_lists_partners_with_their_confidence(client, admin_pilot):
    PartnerFactory(name="DRFiP Bretagne", kind=PartnerKind.ACCOUNTING, confidence="inferred")
    client.force_login(admin_pilot)

    response = client.get(reverse("admin:accompagnement_partner_changelist"), {"q": "Bretagne"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "DRFiP Bretagne" in html
    assert "Déduit, à confirmer" in html
    assert "2 jours ouvrés" in html


def test_the_pilot_edits_a_partners_contacts_inline(client, admin_pilot):
    partner = PartnerFactory(name="AIFE", kind=PartnerKind.AIFE)
    PartnerContact.objects.create(partner=partner, name="Marc Delorme", role="Restitutions")
    client.force_login(admin_pilot)

    url = reverse("admin:accompagnement_partner_change", args=[partner.pk])
    html = client.get(url).content.decode()

    assert "contacts-TOTAL_FORMS" in html
    assert "Marc Delorme" in html
    # The pilot deletes nothing in the admin (a contact is removed in the portal).
    assert "contacts-0-DELETE" not in html


def test_escalations_are_read_only(client, admin_pilot):
    escalation = EscalationFactory(partner_reference="INC-1234")
    client.force_login(admin_pilot)

    listing = client.get(reverse("admin:accompagnement_escalation_changelist"))
    assert listing.status_code == 200
    assert "INC-1234" in listing.content.decode()
    assert client.get(reverse("admin:accompagnement_escalation_add")).status_code == 403
    change = reverse("admin:accompagnement_escalation_change", args=[escalation.pk])
    client.post(change, {"partner_reference": "AUTRE", "answered_at": timezone.now()})
    escalation.refresh_from_db()
    assert escalation.partner_reference == "INC-1234"
    assert escalation.answered_at is None


def test_support_actions_and_follow_ups_are_listed(client, admin_pilot):
    SupportActionFactory(title="Formation aux restitutions")
    FollowUpNoteFactory(text="Relancer le MEDDTL sur la note de fin de gestion")
    client.force_login(admin_pilot)

    actions = client.get(reverse("admin:accompagnement_supportaction_changelist"))
    notes = client.get(reverse("admin:accompagnement_followupnote_changelist"))

    assert "Formation aux restitutions" in actions.content.decode()
    assert "Relancer le MEDDTL" in notes.content.decode()
