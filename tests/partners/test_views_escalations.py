"""The partners' part of a request's team panel and its actions
(`partners/views/escalations.py`, `templates/partners/_request_panel.html`)."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.partners.enums import AnswerChannel, PartnerKind
from accompagnement.partners.models import Escalation
from accompagnement.partners.services.escalations import (
    escalation_answer_record,
    escalation_create,
    escalation_reference_record,
)
from accompagnement.support.enums import MessageKind, Status
from accompagnement.support.models import Attachment, SupportRequest
from accompagnement.support.services.requests import support_request_transition
from tests.ddi.factories import MinistryFactory, ProgrammeFactory
from tests.partners.factories import EscalationFactory, PartnerFactory
from tests.support.factories import MessageFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
MAILBOX = "chorus-maaprat@example.org"
SUMMARY = "Pouvez-vous lever le rejet de la DP 1234567890 ?"
ANSWER = "Rejet levé par le CSP, la DP repart."


@pytest.fixture
def maaprat():
    return MinistryFactory(code="MAAPRAT")


@pytest.fixture
def partner(maaprat):
    made = PartnerFactory(
        code="equipe-chorus-maaprat",
        name="Équipe Chorus du MAAPRAT",
        kind=PartnerKind.MINISTRY,
        mailbox=MAILBOX,
    )
    made.ministries.set([maaprat])
    return made


@pytest.fixture
def support_request(maaprat):
    return SupportRequestFactory(
        assigned=True, programme=ProgrammeFactory(code="206", ministry=maaprat)
    )


def url(name, support_request, escalation=None):
    args = [support_request.reference] + ([escalation.pk] if escalation else [])
    return reverse(f"partners:{name}", args=args)


def page(client, support_request) -> str:
    response = client.get(reverse("support:detail", args=[support_request.reference]))
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def reload(support_request) -> SupportRequest:
    return SupportRequest.objects.get(pk=support_request.pk)


def attach(support_request, name, *, message=None):
    attachment = Attachment(
        request=support_request,
        message=message,
        uploaded_by=message.author if message else support_request.requester,
        original_name=name,
        content_type="application/pdf",
        size=16,
    )
    attachment.file.save(name, ContentFile(b"%PDF-1.4 contenu"), save=False)
    attachment.save()
    return attachment


def escalated(support_request, member, partner):
    return escalation_create(request=support_request, user=member, partner=partner, summary=SUMMARY)


# ---------------------------------------------------------------------------- access


ACTIONS = ("escalate", "redirect", "escalation_reference", "escalation_answer")


@pytest.fixture
def open_escalation(support_request, partner):
    return EscalationFactory(request=support_request, partner=partner)


def action_url(name, support_request, escalation):
    return url(name, support_request, escalation if name.startswith("escalation_") else None)


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_agents_are_refused_every_action(client, support_request, open_escalation, name, method):
    client.force_login(support_request.requester)  # even the agent of the request's DDI
    response = getattr(client, method)(action_url(name, support_request, open_escalation))
    assert response.status_code == 403
    assert reload(support_request).version == support_request.version


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_are_post_only(client, member, support_request, open_escalation, name):
    client.force_login(member)
    assert client.get(action_url(name, support_request, open_escalation)).status_code == 405


@pytest.mark.parametrize("name", ["escalation_reference", "escalation_answer"])
def test_another_requests_escalation_is_a_404(client, member, support_request, partner, name):
    elsewhere = EscalationFactory(partner=partner)
    client.force_login(member)
    response = client.post(
        url(name, support_request, elsewhere),
        {"version": support_request.version, "partner_reference": "INC-1", "answer": ANSWER},
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert (elsewhere.partner_reference, elsewhere.answered_at) == ("", None)


# ---------------------------------------------------------------------------- the panel


def test_the_panel_offers_the_escalation_with_the_suggestion_first(
    client, member, support_request, partner
):
    other = PartnerFactory(name="Autre équipe ministérielle")
    attach(support_request, "rejet.pdf")
    note = MessageFactory(request=support_request, internal=True, author=member)
    attach(support_request, "analyse.pdf", message=note)
    client.force_login(member)
    html = page(client, support_request)
    assert 'id="panneau-escalader"' in html
    assert 'id="panneau-reorienter"' in html
    escalate_form = html[
        html.index('id="panneau-escalader"') : html.index('id="panneau-reorienter"')
    ]
    # The suggestion first, with its reasons, and preselected; every partner after it.
    assert re.search(
        rf'<optgroup label="Suggérés">\s*<option value="{partner.pk}" selected>'
        r"Équipe Chorus du MAAPRAT — programme 206|"
        rf'<optgroup label="Suggérés">\s*<option value="{partner.pk}" selected>'
        r"Équipe Chorus du MAAPRAT — ministère MAAPRAT",
        escalate_form,
    )
    assert f'<option value="{other.pk}">Autre équipe ministérielle</option>' in escalate_form
    # The DDI's file and the internal note's, to tick.
    assert "rejet.pdf (16\xa0octets)" in escalate_form
    assert "analyse.pdf (16\xa0octets, note interne)" in escalate_form
    # The summary starts empty: the member writes it.
    assert re.search(r'<textarea name="summary"[^>]*>\s*</textarea>', escalate_form)


def test_a_finished_request_offers_neither_form(client, member, partner):
    closed = SupportRequestFactory(status=Status.CLOSED)
    client.force_login(member)
    html = page(client, closed)
    assert 'id="panneau-escalader"' not in html and 'id="panneau-reorienter"' not in html


def test_the_open_escalation_shows_its_clock_and_forms(client, member, support_request, partner):
    escalation = escalated(support_request, member, partner)
    escalation_reference_record(escalation=escalation, user=member, reference="INC-0042")
    client.force_login(member)
    html = page(client, support_request)
    block = html[html.index('id="escalade-en-cours"') :]
    assert "Équipe Chorus du MAAPRAT" in block
    assert "Réponse attendue avant le" in block and "En retard" not in block
    assert "Aucune relance envoyée" in block
    assert "INC-0042" in block
    assert "Enregistrer la réponse du partenaire" in block
    assert url("escalation_answer", support_request, escalation) in block
    # Escalated: no second escalation, no redirection.
    assert 'id="panneau-escalader"' not in html
    # The answer's date starts at now.
    today = timezone.localtime().strftime("%Y-%m-%dT")
    assert re.search(rf'name="answered_at" value="{today}', block)


def test_an_overdue_escalation_is_shown_in_red(client, member, support_request, partner):
    escalation = escalated(support_request, member, partner)
    Escalation.objects.filter(pk=escalation.pk).update(
        expected_at=timezone.now() - timedelta(hours=2), reminders_sent=2
    )
    client.force_login(member)
    html = page(client, support_request)
    assert re.search(r'id="escalade-echeance" class="fr-text-default--error"', html)
    assert "En retard :" in html
    assert "2 relances envoyées" in html


def test_closed_escalations_are_the_history(client, member, support_request, partner):
    first = escalated(support_request, member, partner)
    escalation_answer_record(
        escalation=first, user=member, answer=ANSWER, channel=AnswerChannel.PHONE
    )
    second = escalated(reload(support_request), member, partner)
    support_request_transition(
        request=reload(support_request), user=member, to_status=Status.IN_PROGRESS
    )
    client.force_login(member)
    html = page(client, support_request)
    history = html[html.index('id="escalades-precedentes"') :]
    assert "Escalades précédentes (2)" in history
    assert "répondue le" in history and "(téléphone)" in history
    assert "reprise par l’équipe le" in history
    assert second.pk != first.pk
    assert 'id="escalade-en-cours"' not in html


# ---------------------------------------------------------------------------- escalate


def test_escalate_without_javascript(client, member, support_request, partner):
    ticked = attach(support_request, "rejet.pdf")
    client.force_login(member)
    response = client.post(
        url("escalate", support_request),
        {
            "version": support_request.version,
            "partner": partner.pk,
            "attachments": [ticked.pk],
            "summary": SUMMARY,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("support:detail", args=[support_request.reference])
    assert messages_of(response) == [
        f"Demande escaladée vers Équipe Chorus du MAAPRAT : le courriel part à {MAILBOX}."
    ]
    escalation = Escalation.objects.get()
    assert (escalation.partner, escalation.summary) == (partner, SUMMARY)
    assert list(escalation.attachments.all()) == [ticked]
    assert reload(support_request).status == Status.ESCALATED


def test_escalate_with_htmx_answers_the_panel(client, member, support_request, partner):
    client.force_login(member)
    response = client.post(
        url("escalate", support_request),
        {"version": support_request.version, "partner": partner.pk, "summary": SUMMARY},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "demande-modifiee"
    html = response.content.decode()
    assert '<section id="panneau-equipe"' in html
    assert "Demande escaladée vers Équipe Chorus du MAAPRAT" in html
    assert 'id="escalade-en-cours"' in html


def test_an_escalation_without_summary_comes_back_with_its_error(
    client, member, support_request, partner
):
    client.force_login(member)
    response = client.post(
        url("escalate", support_request),
        {"version": support_request.version, "partner": partner.pk, "summary": "  "},
        **HTMX,
    )
    html = response.content.decode()
    assert '<details class="fr-mb-2w" id="panneau-escalader" open>' in html
    assert "Dites au partenaire ce que vous lui demandez." in html
    assert not Escalation.objects.exists()
    assert reload(support_request).status == Status.IN_PROGRESS


def test_an_empty_form_is_refused_with_a_message(client, member, support_request):
    client.force_login(member)
    response = client.post(url("escalate", support_request))
    assert response.status_code == 302
    [text] = messages_of(response)
    assert text.startswith("L’action n’a pas été enregistrée")
    assert not Escalation.objects.exists()


def test_a_stale_page_escalates_nothing(client, member, support_request, partner):
    seen = support_request.version
    support_request_transition(request=support_request, user=member, to_status=Status.WAITING_DDI)
    client.force_login(member)
    response = client.post(
        url("escalate", support_request),
        {"version": seen, "partner": partner.pk, "summary": SUMMARY},
    )
    assert response.status_code == 302
    [text] = messages_of(response)
    assert text.startswith("Cette demande a été modifiée entre-temps")
    assert not Escalation.objects.exists()
    assert reload(support_request).status == Status.WAITING_DDI


# ---------------------------------------------------------------------------- follow


def test_record_the_ticket_number_then_the_answer(client, member, support_request, partner):
    escalation = escalated(support_request, member, partner)
    client.force_login(member)
    response = client.post(
        url("escalation_reference", support_request, escalation),
        {"version": reload(support_request).version, "partner_reference": "INC-0042"},
        **HTMX,
    )
    assert "Numéro de ticket de Équipe Chorus du MAAPRAT enregistré : INC-0042." in (
        response.content.decode()
    )
    escalation.refresh_from_db()
    assert escalation.partner_reference == "INC-0042"

    answered_at = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(
        url("escalation_answer", support_request, escalation),
        {
            "version": reload(support_request).version,
            "answer": ANSWER,
            "channel": AnswerChannel.EMAIL,
            "answered_at": answered_at.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert messages_of(response) == [
        "Réponse de Équipe Chorus du MAAPRAT enregistrée : la demande repasse « En cours »."
    ]
    escalation.refresh_from_db()
    # Typed to the minute: never before the escalation left.
    assert escalation.answered_at == max(answered_at, escalation.sent_at)
    assert reload(support_request).status == Status.IN_PROGRESS
    assert support_request.messages.filter(kind=MessageKind.INTERNAL).count() == 1

    # Posted again (a second tab): refused, nothing more written.
    response = client.post(
        url("escalation_answer", support_request, escalation),
        {
            "version": reload(support_request).version,
            "answer": "Encore",
            "channel": AnswerChannel.EMAIL,
            "answered_at": answered_at.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert "déjà enregistrée" in messages_of(response)[-1]
    assert support_request.messages.filter(kind=MessageKind.INTERNAL).count() == 1


def test_a_stale_answer_is_not_recorded(client, member, support_request, partner):
    escalation = escalated(support_request, member, partner)
    seen = reload(support_request).version
    escalation_reference_record(escalation=escalation, user=member, reference="INC-1")
    client.force_login(member)
    response = client.post(
        url("escalation_answer", support_request, escalation),
        {
            "version": seen,
            "answer": ANSWER,
            "channel": AnswerChannel.EMAIL,
            "answered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        **HTMX,
    )
    assert "modifiée entre-temps" in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.answered_at is None


# ---------------------------------------------------------------------------- redirect


def test_redirect_from_the_panel(client, member, support_request, partner):
    client.force_login(member)
    response = client.post(
        url("redirect", support_request),
        {"version": support_request.version, "partner": partner.pk, "complement": ""},
    )
    assert response.status_code == 302
    assert messages_of(response) == [
        "Demande réorientée vers Équipe Chorus du MAAPRAT : ses coordonnées ont été données "
        "à la DDI."
    ]
    assert reload(support_request).status == Status.REDIRECTED


# ---------------------------------------------------------------------------- the DDI


def test_the_agent_sees_only_to_whom_the_request_went(client, member, support_request, partner):
    escalation = escalated(support_request, member, partner)
    escalation_reference_record(escalation=escalation, user=member, reference="INC-0042")
    client.force_login(support_request.requester)
    html = page(client, reload(support_request))
    assert "Escaladée vers Équipe Chorus du MAAPRAT" in html
    for secret in (MAILBOX, "INC-0042", SUMMARY, "escalade-en-cours", "panneau-escalader"):
        assert secret not in html

    escalation_answer_record(
        escalation=escalation, user=member, answer=ANSWER, channel=AnswerChannel.EMAIL
    )
    html = page(client, reload(support_request))
    assert ANSWER not in html and "Réponse de Équipe Chorus" not in html
    assert "close sans réponse" not in html


def test_the_team_page_query_count_does_not_grow_with_partners_or_escalations(
    client, member, support_request, partner
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            page(client, support_request)
        return len(captured)

    client.force_login(member)
    escalation = escalated(support_request, member, partner)
    escalation_answer_record(
        escalation=escalation, user=member, answer=ANSWER, channel=AnswerChannel.EMAIL
    )
    queries()
    before = queries()
    for n in range(10):
        extra = PartnerFactory(name=f"Partenaire {n}")
        extra.programmes.set([support_request.programme])
        EscalationFactory(
            request=support_request, partner=extra, withdrawn_at=timezone.now()
        ).attachments.set([attach(support_request, f"piece-{n}.pdf")])
    assert queries() == before
