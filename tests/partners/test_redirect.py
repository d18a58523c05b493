"""Redirecting a request out of the team's remit to a partner of the directory: the DDI is
given the partner's contact once (`partners/services/redirects.py`)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import SendOutcome, notification_send
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import PartnerContact
from accompagnement.partners.services.redirects import (
    partner_contact_text,
    request_redirect_to_partner,
)
from accompagnement.support.enums import EventKind, MessageKind, Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.selectors.requests import event_summary
from tests.partners.factories import PartnerFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

MAILBOX = "assistance-chorus@agriculture.example.org"


@pytest.fixture
def partner():
    made = PartnerFactory(
        code="equipe-chorus-maaprat",
        name="Équipe Chorus du MAAPRAT",
        kind=PartnerKind.MINISTRY,
        mailbox=MAILBOX,
        phone="01 49 55 00 00",
    )
    PartnerContact.objects.create(
        partner=made,
        name="Claire Martin",
        role="Responsable du support",
        email="claire.martin@example.org",
        position=1,
    )
    PartnerContact.objects.create(partner=made, name="Second contact", position=2)
    return made


@pytest.fixture
def support_request():
    return SupportRequestFactory(status=Status.IN_PROGRESS)


def test_the_contact_text_gives_name_mailbox_phone_and_first_contact(partner):
    assert partner_contact_text(partner) == (
        "Équipe Chorus du MAAPRAT\n"
        f"Courriel : {MAILBOX}\n"
        "Téléphone : 01 49 55 00 00\n"
        "Premier contact : Claire Martin, Responsable du support — claire.martin@example.org"
    )


def test_redirecting_closes_with_one_standard_message(support_request, member, partner):
    message = request_redirect_to_partner(
        request=support_request,
        user=member,
        partner=partner,
        complement="Précisez-leur le numéro de la DP.",
    )
    redirected = SupportRequest.objects.get(pk=support_request.pk)
    assert redirected.status == Status.REDIRECTED
    assert redirected.closed_at is not None
    [public] = redirected.messages.filter(kind=MessageKind.PUBLIC)
    assert public == message
    assert message.body.count(MAILBOX) == 1
    assert message.body.startswith("Votre demande ne relève pas de l'équipe")
    assert "Claire Martin" in message.body and "Second contact" not in message.body
    assert message.body.endswith("Précisez-leur le numéro de la DP.")
    event = redirected.events.get(kind=EventKind.REDIRECTED)
    assert event.is_public and event.new_value == "Équipe Chorus du MAAPRAT"
    assert event_summary(event) == "Réorientée vers Équipe Chorus du MAAPRAT"


def test_the_ddi_gets_one_email_with_the_contact_once(support_request, member, partner):
    request_redirect_to_partner(request=support_request, user=member, partner=partner)
    assert not Notification.objects.filter(kind="status_changed").exists()
    [notification] = Notification.objects.filter(kind="team_reply")
    assert notification.recipient == support_request.requester
    assert notification_send(notification_id=notification.pk) == SendOutcome.SENT
    [email] = mail.outbox
    assert email.body.count(MAILBOX) == 1
    assert "« Réorientée »" in email.body


def test_the_agents_page_gives_the_contact_once(client, support_request, member, partner):
    request_redirect_to_partner(request=support_request, user=member, partner=partner)
    client.force_login(support_request.requester)
    page = client.get(reverse("support:detail", args=[support_request.reference]))
    html = page.content.decode()
    assert html.count(MAILBOX) == 1
    assert "Réorientée vers Équipe Chorus du MAAPRAT" in html
    assert "Demande réorientée : votre interlocuteur" not in html


def test_an_old_redirection_without_its_message_keeps_its_box(client, member):
    # Redirected before the standard message existed: the contact is shown on its own.
    support_request = SupportRequestFactory(
        status=Status.REDIRECTED, redirect_contact="Plate-forme Chorus de l'Intérieur"
    )
    client.force_login(support_request.requester)
    html = client.get(reverse("support:detail", args=[support_request.reference])).content
    assert html.decode().count("Plate-forme Chorus de l&#x27;Intérieur") == 1
    assert "Demande réorientée : votre interlocuteur" in html.decode()


def test_a_partner_without_any_contact_or_inactive_is_refused(support_request, member):
    unreachable = PartnerFactory(mailbox="", phone="")
    with pytest.raises(ValidationError) as refused:
        request_redirect_to_partner(request=support_request, user=member, partner=unreachable)
    assert "ni courriel ni téléphone" in str(refused.value)
    retired = PartnerFactory(active=False)
    with pytest.raises(ValidationError):
        request_redirect_to_partner(request=support_request, user=member, partner=retired)
    assert SupportRequest.objects.get(pk=support_request.pk).status == Status.IN_PROGRESS


def test_only_the_team_redirects(support_request, partner):
    with pytest.raises(PermissionDenied):
        request_redirect_to_partner(
            request=support_request, user=support_request.requester, partner=partner
        )
