"""Send and set status: the team's reply box sends the reply and sets the next status
(waiting for the DDI, resolved) in one step, one transaction, one e-mail."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from accompagnement.support.enums import EventKind, MessageKind, Status
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.services.replies import support_request_reply_and_transition
from accompagnement.support.services.requests import ConcurrentUpdateError
from accompagnement.support.workflow import reply_then_targets, status_after_team_reply
from tests.accounts.factories import UserFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

WAIT = "Envoyer et attendre la DDI"
RESOLVE = "Envoyer et marquer résolue"


def status_events(support_request):
    return list(
        Event.objects.filter(request=support_request, kind=EventKind.STATUS)
        .order_by("pk")
        .values_list("old_value", "new_value")
    )


def html_of(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------- the service


def test_reply_and_resolve_in_one_step(agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    version = support_request.version
    message = support_request_reply_and_transition(
        request=support_request,
        author=member,
        body="La restitution est corrigée.",
        to_status=Status.RESOLVED,
        expected_version=version,
    )
    support_request.refresh_from_db()
    assert support_request.status == Status.RESOLVED
    assert support_request.resolved_at is not None
    assert (message.kind, message.author) == (MessageKind.PUBLIC, member)
    assert status_events(support_request) == [(Status.IN_PROGRESS, Status.RESOLVED)]
    assert Event.objects.filter(request=support_request, kind=EventKind.REPLIED).count() == 1
    # One e-mail for the requester, the reply's, which carries the new status.
    [notification] = Notification.objects.filter(recipient=agent)
    assert notification.kind == "team_reply"
    assert notification.context == {"old": Status.IN_PROGRESS, "new": Status.RESOLVED}


def test_the_first_reply_takes_a_new_request_in_hand_then_waits_for_the_ddi(agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.NEW)
    support_request_reply_and_transition(
        request=support_request,
        author=member,
        body="Pouvez-vous nous donner le numéro d'EJ ?",
        to_status=Status.WAITING_DDI,
        expected_version=support_request.version,
    )
    support_request.refresh_from_db()
    assert support_request.status == Status.WAITING_DDI
    assert support_request.first_response_at is not None
    assert support_request.sla_paused_at is not None  # the clock waits with the request
    assert status_events(support_request) == [
        (Status.NEW, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.WAITING_DDI),
    ]
    assert list(Notification.objects.filter(recipient=agent).values_list("kind", flat=True)) == [
        "team_reply"
    ]


def test_the_one_e_mail_tells_the_new_status(agent, member, settings):
    settings.SITE_URL = "https://accompagnement.example.org/"
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    support_request_reply_and_transition(
        request=support_request,
        author=member,
        body="Voici la marche à suivre.",
        to_status=Status.RESOLVED,
    )
    [notification] = Notification.objects.filter(recipient=agent)
    notification_send(notification_id=notification.pk)
    [email] = mail.outbox
    assert "Voici la marche à suivre." in email.body
    assert "La demande passe au statut « Résolue »." in email.body
    assert "votre message la rouvrira" in email.body
    html, _mimetype = email.alternatives[0]
    assert "La demande passe au statut « <strong>Résolue</strong> »." in html


def test_a_plain_reply_e_mail_says_nothing_of_a_status(agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    support_request_reply_and_transition(request=support_request, author=member, body="Bonjour")
    [notification] = Notification.objects.filter(recipient=agent)
    notification_send(notification_id=notification.pk)
    assert "passe au statut" not in mail.outbox[0].body


def test_a_stale_page_changes_nothing(agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    seen = support_request.version
    SupportRequest.objects.filter(pk=support_request.pk).update(version=seen + 1)
    support_request.refresh_from_db()
    with pytest.raises(ConcurrentUpdateError):
        support_request_reply_and_transition(
            request=support_request,
            author=member,
            body="Réponse écrite sur une page ancienne",
            to_status=Status.RESOLVED,
            expected_version=seen,
        )
    support_request.refresh_from_db()
    assert (support_request.status, support_request.version) == (Status.IN_PROGRESS, seen + 1)
    assert not Message.objects.exists()
    assert not Event.objects.filter(request=support_request).exists()
    assert not Notification.objects.exists()


def test_a_status_the_workflow_refuses_changes_nothing(agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.RESOLVED)
    with pytest.raises(ValidationError) as error:
        support_request_reply_and_transition(
            request=support_request,
            author=member,
            body="Nous attendons votre retour.",
            to_status=Status.WAITING_DDI,
            expected_version=support_request.version,
        )
    assert error.value.messages == [
        "Impossible d'envoyer la réponse et de passer la demande au statut « En attente de la "
        "DDI » : elle est au statut « Résolue »."
    ]
    support_request.refresh_from_db()
    assert support_request.status == Status.RESOLVED
    assert not Message.objects.exists()
    assert not Notification.objects.exists()


def test_a_note_or_an_agent_never_sets_a_status_with_a_message(agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    for author, internal in ((member, True), (agent, False)):
        with pytest.raises(ValidationError):
            support_request_reply_and_transition(
                request=support_request,
                author=author,
                body="Texte",
                internal=internal,
                to_status=Status.RESOLVED,
            )
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
    assert not Message.objects.exists()


@pytest.mark.parametrize("status", [s for s in Status if s != Status.MERGED])
def test_the_workflow_helper_agrees_with_the_reply_service(agent, member, status):
    support_request = SupportRequestFactory(requester=agent, status=status)
    support_request_reply_and_transition(request=support_request, author=member, body="Bonjour")
    support_request.refresh_from_db()
    assert support_request.status == status_after_team_reply(status)


# ---------------------------------------------------------------------------- the page


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        (Status.NEW, [Status.WAITING_DDI, Status.RESOLVED]),
        (Status.IN_PROGRESS, [Status.WAITING_DDI, Status.RESOLVED]),
        (Status.WAITING_DDI, [Status.RESOLVED]),
        (Status.ESCALATED, [Status.WAITING_DDI, Status.RESOLVED]),
        (Status.RESOLVED, []),
        (Status.CLOSED, []),
        (Status.REDIRECTED, []),
    ],
)
def test_the_reply_box_offers_the_statuses_the_workflow_allows(
    client, agent, member, status, buttons
):
    assert reply_then_targets(status) == buttons
    support_request = SupportRequestFactory(requester=agent, status=status)
    client.force_login(member)
    html = html_of(client.get(reverse("support:detail", args=[support_request.reference])))
    assert 'id="reponse-envoyer"' in html
    assert (f'value="{Status.WAITING_DDI}"' in html) == (Status.WAITING_DDI in buttons)
    assert (WAIT in html) == (Status.WAITING_DDI in buttons)
    assert (f'value="{Status.RESOLVED}"' in html) == (Status.RESOLVED in buttons)
    assert (RESOLVE in html) == (Status.RESOLVED in buttons)


def test_an_agent_s_reply_box_has_one_button(client, agent):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    client.force_login(agent)
    html = html_of(client.get(reverse("support:detail", args=[support_request.reference])))
    assert "Envoyer ma réponse" in html
    assert WAIT not in html
    assert RESOLVE not in html


def reply(client, support_request, **data):
    return client.post(
        reverse("support:reply", args=[support_request.reference]),
        {"kind": "public", "body": "Voici la réponse.", "version": support_request.version, **data},
    )


def test_member_sends_and_resolves_from_the_page(client, agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    client.force_login(member)
    response = reply(client, support_request, then_status=Status.RESOLVED)
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == Status.RESOLVED
    page = html_of(client.get(response.url))
    assert "Votre message est envoyé ; la demande passe au statut « Résolue »." in page


def test_member_sends_and_waits_for_the_ddi_from_the_page(client, agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.NEW)
    client.force_login(member)
    assert reply(client, support_request, then_status=Status.WAITING_DDI).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == Status.WAITING_DDI


def test_a_stale_page_keeps_the_text_and_changes_nothing(client, agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    seen = support_request.version
    SupportRequest.objects.filter(pk=support_request.pk).update(version=seen + 1)
    client.force_login(member)
    response = reply(client, support_request, then_status=Status.RESOLVED)
    assert response.status_code == 409
    assert "Votre message n'a pas été envoyé ; il est conservé ci-dessous." in html_of(response)
    assert "Voici la réponse.</textarea>" in html_of(response)
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
    assert not Message.objects.exists()


def test_an_internal_note_with_a_status_button_is_refused(client, agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    client.force_login(member)
    response = reply(client, support_request, kind="internal", then_status=Status.RESOLVED)
    assert response.status_code == 200
    assert "Une note interne ne change pas le statut de la demande" in html_of(response)
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
    assert not Message.objects.exists()


def test_a_status_the_page_no_longer_offers_is_refused(client, agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.RESOLVED)
    client.force_login(member)
    response = reply(client, support_request, then_status=Status.WAITING_DDI)
    assert response.status_code == 200
    assert "Impossible d&#x27;envoyer la réponse et de passer la demande" in html_of(response)
    response = reply(client, support_request, then_status=Status.CLOSED)
    assert "Choisissez l’un des boutons d’envoi de la page." in html_of(response)
    assert not Message.objects.exists()


def test_an_agent_posting_a_status_gets_it_ignored_not_applied(client, agent):
    support_request = SupportRequestFactory(
        requester=agent, status=Status.IN_PROGRESS, assignee=UserFactory(member=True)
    )
    client.force_login(agent)
    assert reply(client, support_request, then_status=Status.RESOLVED).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
