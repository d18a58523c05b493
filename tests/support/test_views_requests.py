import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.axes.models import Axis, Category
from accompagnement.support.enums import ChorusObject, EventKind, MessageKind, Priority, Status
from accompagnement.support.models import Attachment, Message, SupportRequest
from accompagnement.support.uploads import MAX_UPLOAD_SIZE
from tests.accounts.factories import UserFactory
from tests.ddi.factories import AttachmentFactory
from tests.support.factories import EventFactory, MessageFactory, SupportRequestFactory
from tests.support.test_uploads import EXE_BYTES, PDF_BYTES, png_bytes, write_zip_bomb

pytestmark = pytest.mark.django_db

RESELECT = "Les fichiers joints doivent être sélectionnés à nouveau"
CONFLICT = (
    "Cette demande a été modifiée par quelqu'un d'autre pendant que vous la consultiez : "
    "voici son état actuel. Votre message n'a pas été envoyé ; il est conservé ci-dessous."
)


def html_of(response) -> str:
    return response.content.decode()


def category(axis=Axis.TOOL):
    return Category.objects.filter(axis=axis, is_active=True).first()


def filing(**overrides):
    data = {
        "axis": Axis.TOOL,
        "category": category(Axis.TOOL).pk,
        "title": "Restitution INF-BUD-53 vide",
        "body": "Depuis lundi la restitution **ne renvoie rien**.",
        "priority": Priority.HIGH,
        "chorus_object": "",
        "chorus_reference": "",
    }
    return {**data, **overrides}


def pdf(name="note.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, "application/pdf")


def stored_attachment(support_request, *, message=None, name="piece.pdf", content_type=None):
    attachment = Attachment(
        request=support_request,
        message=message,
        uploaded_by=message.author if message else support_request.requester,
        original_name=name,
        content_type=content_type or "application/pdf",
        size=len(PDF_BYTES),
    )
    attachment.file.save(name, ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def url(name, support_request, **kwargs):
    return reverse(f"support:{name}", kwargs={"reference": support_request.reference, **kwargs})


def download(client, attachment):
    response = client.get(url("attachment", attachment.request, pk=attachment.pk))
    if response.status_code == 200:
        # Reading the stream closes the file (the test client's wrapper closes the
        # response); closing it again would end the test's database connection.
        body = b"".join(response.streaming_content)
        return response, body
    return response, b""


# ---------------------------------------------------------------------------- filing


def test_team_cannot_open_the_filing_form(client, member, pilot):
    for user in (member, pilot):
        client.force_login(user)
        assert client.get(reverse("support:create")).status_code == 403
        assert client.get(reverse("support:list")).status_code == 403


def test_filing_form_shows_the_choices(client, agent):
    mine = AttachmentFactory(ddi=agent.ddi)
    elsewhere = AttachmentFactory()
    client.force_login(agent)
    html = html_of(client.get(reverse("support:create")))
    assert html.count("<optgroup") == len(Axis)
    assert str(mine.programme) in html
    assert mine.service_centre.name in html
    assert str(elsewhere.programme) not in html
    assert "Haute : paiement bloqué ou échéance de fin de gestion proche" in html
    assert "Markdown" in html
    assert 'type="file" name="attachments"' in html
    assert " multiple" in html
    # One token for the logout button of the header, one for the form, one for the form
    # the suggested articles' buttons submit (support/_suggestions.html).
    assert html.count('name="csrfmiddlewaretoken"') == 3


def test_filing_a_request_with_files(client, agent):
    mine = AttachmentFactory(ddi=agent.ddi)
    client.force_login(agent)
    response = client.post(
        reverse("support:create"),
        filing(
            programme=mine.programme.pk,
            service_centre=mine.service_centre.pk,
            chorus_object=ChorusObject.EJ,
            chorus_reference="2104410702/00001",
            attachments=[
                pdf("devis.pdf"),
                SimpleUploadedFile("capture.png", png_bytes(), "image/png"),
            ],
        ),
    )
    support_request = SupportRequest.objects.get()
    assert re.fullmatch(r"ACC-\d{4}-\d{5}", support_request.reference)
    assert response.status_code == 302
    assert response.url == url("confirmation", support_request)
    assert support_request.ddi == agent.ddi
    assert support_request.requester == agent
    assert support_request.priority == Priority.HIGH
    assert support_request.programme == mine.programme
    assert support_request.chorus_reference == "2104410702/00001"
    files = {a.original_name: a for a in support_request.attachments.all()}
    assert set(files) == {"devis.pdf", "capture.png"}
    assert files["capture.png"].content_type == "image/png"
    assert files["devis.pdf"].message is None
    with files["devis.pdf"].file.open("rb") as stored:
        assert stored.read() == PDF_BYTES

    page = html_of(client.get(response.url))
    assert support_request.reference in page
    due = timezone.localtime(support_request.first_response_due)
    assert "Première réponse attendue avant le" in page
    assert f"{due:%Y}" in page and f"{due:%H:%M}" in page
    assert url("detail", support_request) in page


def test_invalid_chorus_reference_is_explained_and_the_text_is_kept(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("support:create"),
        filing(
            title="EJ bloqué au service fait",
            body="Le bon de commande reste en attente",
            chorus_object=ChorusObject.EJ,
            chorus_reference="21044",
            attachments=[pdf("devis.pdf")],
        ),
    )
    assert response.status_code == 200
    assert not SupportRequest.objects.exists()
    html = html_of(response)
    assert "Référence invalide : un numéro d&#x27;EJ a 10 chiffres" in html
    assert 'value="EJ bloqué au service fait"' in html
    assert "Le bon de commande reste en attente</textarea>" in html
    assert 'value="21044"' in html
    assert RESELECT in html
    assert "<li>devis.pdf</li>" in html


def test_category_from_another_axis_is_refused(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("support:create"), filing(axis=Axis.YEAR_END, category=category(Axis.TOOL).pk)
    )
    assert response.status_code == 200
    assert "ne relève pas de l’axe choisi" in html_of(response)
    assert not SupportRequest.objects.exists()


def test_programme_and_csp_not_serving_the_ddi_are_refused(client, agent):
    elsewhere = AttachmentFactory()
    client.force_login(agent)
    response = client.post(
        reverse("support:create"),
        filing(programme=elsewhere.programme.pk, service_centre=elsewhere.service_centre.pk),
    )
    html = html_of(response)
    assert "Ce programme n’est pas suivi par votre DDI." in html
    assert "Ce CSP ne sert pas votre DDI." in html
    assert not SupportRequest.objects.exists()


def test_file_over_ten_mebibytes_is_refused(client, agent):
    client.force_login(agent)
    big = SimpleUploadedFile("gros.csv", b"a;b\n" * ((MAX_UPLOAD_SIZE // 4) + 1), "text/csv")
    response = client.post(reverse("support:create"), filing(attachments=[big]))
    assert response.status_code == 200
    assert "« gros.csv » dépasse la taille maximale de 10 Mo par fichier" in html_of(response)
    assert not SupportRequest.objects.exists()


def test_executable_renamed_pdf_is_refused_and_good_files_are_named(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("support:create"),
        filing(attachments=[pdf("facture.pdf", EXE_BYTES), pdf("devis.pdf")]),
    )
    html = html_of(response)
    assert "Le contenu de « facture.pdf » ne correspond pas à un fichier PDF" in html
    assert RESELECT in html
    assert "<li>devis.pdf</li>" in html
    assert "<li>facture.pdf</li>" not in html
    assert not SupportRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_zip_bomb_is_refused_in_french_and_nothing_is_stored(client, agent, settings, tmp_path):
    bomb = tmp_path / "rapport.docx"
    write_zip_bomb(bomb, mebibytes=32)  # 32 Mio of zeros in about 33 Kio
    client.force_login(agent)
    with bomb.open("rb") as handle:
        response = client.post(
            reverse("support:create"), filing(attachments=[handle, pdf("devis.pdf")])
        )
    assert response.status_code == 200
    html = html_of(response)
    assert (
        "Le contenu de « rapport.docx » deviendrait démesuré une fois décompressé : "
        "le fichier est refusé." in html
    )
    assert "<li>devis.pdf</li>" in html
    assert not SupportRequest.objects.exists()
    assert not Attachment.objects.exists()
    assert not any(path.is_file() for path in Path(settings.MEDIA_ROOT).rglob("*"))


def test_csv_is_accepted(client, agent):
    client.force_login(agent)
    csv = SimpleUploadedFile(
        "export.csv", "EJ;Montant\n2104410702;1 200,00\n".encode("cp1252"), "text/csv"
    )
    response = client.post(reverse("support:create"), filing(attachments=[csv]))
    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "text/csv"


# ---------------------------------------------------------------------------- access


def test_agent_of_another_ddi_gets_404_everywhere(client, agent):
    other_request = SupportRequestFactory()
    attachment = stored_attachment(other_request)
    client.force_login(agent)
    for name in ("detail", "confirmation", "close"):
        assert client.get(url(name, other_request)).status_code == 404, name
    for name in ("reply", "close", "reopen"):
        response = client.post(url(name, other_request), {"body": "x", "version": 1})
        assert response.status_code == 404, name
    response, _ = download(client, attachment)
    assert response.status_code == 404
    other_request.refresh_from_db()
    assert other_request.status == Status.NEW
    assert not other_request.messages.exists()


REFERENCE_PAGES = [
    ("get", "support:detail"),
    ("get", "support:confirmation"),
    ("post", "support:reply"),
    ("post", "support:close"),
    ("post", "support:reopen"),
    ("post", "support:assign"),
    ("post", "support:transition"),
    ("post", "partners:escalate"),
    ("post", "partners:redirect"),
    ("post", "support:duplicate"),
    ("post", "support:link"),
]


@pytest.mark.parametrize("bad", ["%00", "ACC-2011-0000%00", "ACC-2011-0000%C2%B2", "x" * 300])
def test_a_malformed_reference_in_a_url_is_a_404_on_every_database(client, agent, member, bad):
    # PostgreSQL refused the NUL byte with an error (500): the URL no longer matches.
    support_request = SupportRequestFactory(requester=agent)
    good = support_request.reference
    for user in (agent, member):
        client.force_login(user)
        for method, name in REFERENCE_PAGES:
            path = reverse(name, args=[good]).replace(good, bad)
            response = getattr(client, method)(path, {"body": "x", "version": 1})
            assert response.status_code == 404, (name, user.role)
        attachment = reverse("support:attachment", args=[good, 1]).replace(good, bad)
        assert client.get(attachment).status_code == 404
    assert not support_request.messages.exists()


def test_a_reference_in_lower_case_stays_a_404(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)
    assert client.get(url("detail", support_request)).status_code == 200
    lower = url("detail", support_request).replace("ACC", "acc")
    assert client.get(lower).status_code == 404


def test_agent_never_sees_internal_notes_nor_their_files(client, agent, member):
    support_request = SupportRequestFactory(requester=agent)
    note = MessageFactory(
        request=support_request, internal=True, author=member, body="Piste : problème AIFE"
    )
    note_file = stored_attachment(support_request, message=note, name="analyse-interne.pdf")
    EventFactory(
        request=support_request,
        actor=member,
        kind=EventKind.NOTE,
        is_public=False,
        field="",
        old_value="",
        new_value="",
    )
    EventFactory(
        request=support_request,
        actor=member,
        kind=EventKind.PRIORITY,
        field="priority",
        old_value=Priority.NORMAL,
        new_value=Priority.URGENT,
        is_public=False,
        comment="Réévaluée en interne",
    )
    MessageFactory(request=support_request, author=member, body="Réponse publique")

    client.force_login(agent)
    html = html_of(client.get(url("detail", support_request)))
    assert "Réponse publique" in html
    assert "Piste : problème AIFE" not in html
    assert "analyse-interne.pdf" not in html
    assert "Note interne" not in html
    assert "Réévaluée en interne" not in html
    response, _ = download(client, note_file)
    assert response.status_code == 404

    client.force_login(member)
    html = html_of(client.get(url("detail", support_request)))
    assert "Piste : problème AIFE" in html
    assert "analyse-interne.pdf" in html
    assert "Note interne" in html
    assert "Priorité : Normale → Urgente" in html
    assert "Réévaluée en interne" in html
    response, body = download(client, note_file)
    assert response.status_code == 200
    assert body == PDF_BYTES


def test_team_includes_its_panel_and_sees_the_state_of_the_clock(client, member, agent):
    support_request = SupportRequestFactory(requester=agent, overdue=True)
    client.force_login(member)
    response = client.get(url("detail", support_request))
    assert response.status_code == 200
    assert "support/_team_panel.html" in [t.name for t in response.templates]
    html = html_of(response)
    assert html.count("Échéance dépassée</p>") == 2  # beside the title and the due dates
    assert "Délais de l’équipe" in html
    assert "Comptés en heures ouvrées depuis le" in html
    assert 'name="kind"' in html

    client.force_login(agent)
    response = client.get(url("detail", support_request))
    assert "support/_team_panel.html" not in [t.name for t in response.templates]
    html = html_of(response)
    assert "Échéance dépassée" not in html and "Délais de l’équipe" not in html
    assert 'name="kind"' not in html


def test_a_paused_clock_says_since_when_on_the_request_page(client, member):
    paused_at = timezone.make_aware(datetime(2026, 3, 9, 11, 0))
    support_request = SupportRequestFactory(
        status=Status.WAITING_DDI,
        created_at=paused_at - timedelta(hours=2),
        sla_paused_at=paused_at,
    )
    client.force_login(member)
    html = html_of(client.get(url("detail", support_request)))
    assert html.count("Horloge suspendue</p>") == 2
    assert "Horloge suspendue depuis le 9 mars 2026 à 11:00" in html
    assert "Échéance dépassée" not in html


def test_download_headers(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    attachment = stored_attachment(support_request, name="Relevé d'EJ.pdf")
    odd = stored_attachment(support_request, name="page.html", content_type="text/html")
    client.force_login(agent)
    response, body = download(client, attachment)
    assert body == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Relev" in response["Content-Disposition"]
    response, _ = download(client, odd)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_attachment_of_another_request_is_not_served_under_this_reference(client, agent):
    mine = SupportRequestFactory(requester=agent)
    other = stored_attachment(SupportRequestFactory())
    client.force_login(agent)
    response = client.get(url("attachment", mine, pk=other.pk))
    assert response.status_code == 404


# ---------------------------------------------------------------------------- the request page


def test_timeline_merges_messages_and_public_events_in_time_order(client, agent, member):
    start = timezone.now() - timedelta(days=3)
    support_request = SupportRequestFactory(requester=agent, created_at=start)
    EventFactory(
        request=support_request,
        kind=EventKind.CREATED,
        field="",
        old_value="",
        new_value=Status.NEW,
        created_at=start,
    )
    MessageFactory(
        request=support_request,
        author=member,
        body="Première réponse",
        created_at=start + timedelta(hours=1),
    )
    EventFactory(
        request=support_request,
        actor=member,
        old_value=Status.IN_PROGRESS,
        new_value=Status.WAITING_DDI,
        created_at=start + timedelta(hours=2),
    )
    MessageFactory(
        request=support_request, body="Réponse de la DDI", created_at=start + timedelta(hours=3)
    )
    client.force_login(agent)
    html = html_of(client.get(url("detail", support_request)))
    positions = [
        html.index(text)
        for text in (
            "Demande déposée",
            "Première réponse",
            "Statut : En cours → En attente de la DDI",
            "Réponse de la DDI",
        )
    ]
    assert positions == sorted(positions)


def test_request_files_are_listed_and_downloadable(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    attachment = stored_attachment(support_request, name="devis.pdf")
    client.force_login(agent)
    html = html_of(client.get(url("detail", support_request)))
    assert url("attachment", support_request, pk=attachment.pk) in html
    assert "devis.pdf" in html


def test_markup_in_texts_is_neutralised(client, agent, member):
    payload = "<script>alert(1)</script> <img src=x onerror=alert(1)> [lien](javascript:alert(1))"
    support_request = SupportRequestFactory(
        requester=agent, title="<script>alert(1)</script>", body=payload
    )
    MessageFactory(request=support_request, body=payload)
    MessageFactory(request=support_request, author=member, internal=True, body=payload)
    for user in (agent, member):
        client.force_login(user)
        html = html_of(client.get(url("detail", support_request)))
        assert "<script>alert(1)</script>" not in html
        assert "onerror" not in html
        assert "<img" not in html
        assert 'href="javascript' not in html  # the link stays inert text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, escaped


def test_agent_reply_on_waiting_request_brings_it_back_to_the_team(client, agent):
    support_request = SupportRequestFactory(
        requester=agent, assigned=True, status=Status.WAITING_DDI
    )
    colleague = UserFactory(ddi=agent.ddi)
    client.force_login(colleague)
    response = client.post(
        url("reply", support_request),
        {
            "body": "Voici la copie d'écran demandée",
            "version": support_request.version,
            "kind": "internal",  # not offered to agents: ignored
            "attachments": [SimpleUploadedFile("ecran.png", png_bytes(), "image/png")],
        },
    )
    message = Message.objects.get()
    assert response.status_code == 302
    assert response.url == url("detail", support_request) + f"#message-{message.pk}"
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
    assert message.kind == MessageKind.PUBLIC
    assert message.author == colleague
    assert [a.original_name for a in message.attachments.all()] == ["ecran.png"]
    html = html_of(client.get(response.url))
    assert "Votre message est envoyé." in html
    assert "Voici la copie d'écran demandée" in html


def test_team_writes_an_internal_note(client, agent, member):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(member)
    response = client.post(
        url("reply", support_request),
        {"body": "Voir avec le CSP", "kind": "internal", "version": support_request.version},
    )
    assert response.status_code == 302
    note = Message.objects.get()
    assert note.kind == MessageKind.INTERNAL
    support_request.refresh_from_db()
    assert support_request.status == Status.NEW
    client.force_login(agent)
    assert "Voir avec le CSP" not in html_of(client.get(url("detail", support_request)))


def test_empty_reply_is_refused_in_french(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)
    response = client.post(
        url("reply", support_request), {"body": "", "version": support_request.version}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in html_of(response)
    assert not Message.objects.exists()


def test_reply_on_a_stale_page_is_not_sent_and_the_text_is_kept(client, agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.WAITING_DDI)
    shown_version = support_request.version
    # Meanwhile, the team answers.
    from accompagnement.support.services.replies import support_request_reply

    support_request_reply(request=support_request, author=member, body="Avez-vous essayé ?")
    client.force_login(agent)
    response = client.post(
        url("reply", support_request),
        {
            "body": "Mon texte long et précieux",
            "version": shown_version,
            "attachments": [pdf("devis.pdf")],
        },
    )
    assert response.status_code == 409
    html = html_of(response)
    assert CONFLICT.replace("'", "&#x27;") in html or CONFLICT in html
    assert "Mon texte long et précieux</textarea>" in html
    assert "Avez-vous essayé ?" in html  # the current state
    assert RESELECT in html
    assert "<li>devis.pdf</li>" in html
    assert list(Message.objects.values_list("body", flat=True)) == ["Avez-vous essayé ?"]
    assert not Attachment.objects.exists()
    support_request.refresh_from_db()
    assert f'name="version" value="{support_request.version}"' in html

    # Sent again from that page, it goes through.
    response = client.post(
        url("reply", support_request),
        {"body": "Mon texte long et précieux", "version": support_request.version},
    )
    assert response.status_code == 302
    assert Message.objects.count() == 2


def test_agent_closes_an_open_request_after_confirming(client, agent):
    support_request = SupportRequestFactory(requester=agent, assigned=True)
    client.force_login(agent)
    detail = html_of(client.get(url("detail", support_request)))
    assert url("close", support_request) in detail
    confirmation = client.get(url("close", support_request))
    assert "Clôturer la demande ?" in html_of(confirmation)
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS

    response = client.post(url("close", support_request), {"version": support_request.version})
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == Status.CLOSED
    assert support_request.closed_at is not None
    assert "La demande est clôturée." in html_of(client.get(response.url))


def test_close_on_a_stale_page_changes_nothing(client, agent):
    support_request = SupportRequestFactory(requester=agent, version=3)
    client.force_login(agent)
    response = client.post(url("close", support_request), {"version": 2}, follow=True)
    support_request.refresh_from_db()
    assert support_request.status == Status.NEW
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in html_of(response)


def test_team_does_not_use_the_agent_close_and_reopen(client, member):
    support_request = SupportRequestFactory(resolved=True)
    client.force_login(member)
    assert client.get(url("close", support_request)).status_code == 403
    assert client.post(url("reopen", support_request), {"version": 1}).status_code == 403


def test_agent_reopens_a_resolved_request(client, agent):
    support_request = SupportRequestFactory(requester=agent, resolved=True)
    client.force_login(agent)
    detail = html_of(client.get(url("detail", support_request)))
    assert url("reopen", support_request) in detail
    assert url("close", support_request) in detail
    response = client.post(url("reopen", support_request), {"version": support_request.version})
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
    assert support_request.resolved_at is None
    assert support_request.reopened_count == 1


def test_open_request_cannot_be_reopened(client, agent):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    client.force_login(agent)
    assert url("reopen", support_request) not in html_of(client.get(url("detail", support_request)))
    client.post(url("reopen", support_request), {"version": support_request.version})
    support_request.refresh_from_db()
    assert support_request.status == Status.IN_PROGRESS
    assert support_request.reopened_count == 0


def test_closed_request_offers_neither_close_nor_reopen(client, agent):
    support_request = SupportRequestFactory(requester=agent, status=Status.CLOSED)
    client.force_login(agent)
    html = html_of(client.get(url("detail", support_request)))
    assert url("close", support_request) not in html
    assert url("reopen", support_request) not in html
    response = client.get(url("close", support_request))
    assert response.status_code == 302


def test_request_page_query_count_does_not_grow_with_the_timeline(
    client, agent, member, django_assert_num_queries
):
    support_request = SupportRequestFactory(requester=agent, assigned=True)

    def add_exchanges(count):
        for _ in range(count):
            message = MessageFactory(request=support_request, author=member)
            stored_attachment(support_request, message=message)
            note = MessageFactory(request=support_request, internal=True, author=member)
            stored_attachment(support_request, message=note)
            EventFactory(request=support_request, actor=member)
            EventFactory(request=support_request, actor=None, is_public=False)
            stored_attachment(support_request)

    def queries_for(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("detail", support_request)).status_code == 200
        return len(queries)

    add_exchanges(1)  # 5 messages, events and files
    # Session, user, request (with its header), messages, their files, events, request files.
    client.force_login(agent)
    with django_assert_num_queries(7):
        client.get(url("detail", support_request))
    # The team's count includes its panel (another screen's queries, some cached after the
    # first page): it must not grow either.
    queries_for(member)
    team_count = queries_for(member)
    add_exchanges(12)  # 60 messages, events and files
    assert queries_for(agent) == 7
    assert queries_for(member) == team_count


# ---------------------------------------------------------------------------- the list


def test_list_shows_the_whole_ddi_but_not_other_ddis(client, agent):
    colleague = UserFactory(ddi=agent.ddi)
    mine = SupportRequestFactory(requester=agent, title="Ma demande")
    theirs = SupportRequestFactory(requester=colleague, title="Demande d'un collègue")
    other_ddi = SupportRequestFactory(title="Demande d'une autre DDI")
    client.force_login(agent)
    html = html_of(client.get(reverse("support:list")))
    assert mine.reference in html
    assert theirs.reference in html
    assert colleague.get_full_name() in html
    assert other_ddi.reference not in html
    assert "2 demandes" in html

    html = html_of(client.get(reverse("support:list"), {"mine": "on"}))
    assert mine.reference in html
    assert theirs.reference not in html


def test_list_filters(client, agent):
    open_tool = SupportRequestFactory(requester=agent, title="EJ bloqué", axis=Axis.TOOL)
    closed = SupportRequestFactory(requester=agent, status=Status.CLOSED, title="Ancienne")
    year_end = SupportRequestFactory(requester=agent, axis=Axis.YEAR_END, title="Charges à payer")
    client.force_login(agent)

    def references(**query):
        html = html_of(client.get(reverse("support:list"), query))
        return {r.reference for r in (open_tool, closed, year_end) if r.reference in html}

    assert references() == {open_tool.reference, year_end.reference}
    assert references(status="all") == {open_tool.reference, closed.reference, year_end.reference}
    assert references(status=Status.CLOSED) == {closed.reference}
    assert references(axis=Axis.YEAR_END) == {year_end.reference}
    assert references(q="bloqué") == {open_tool.reference}
    assert references(q=year_end.reference.lower()) == {year_end.reference}
    assert references(status="bidon") == {open_tool.reference, year_end.reference}


def test_list_is_paginated_by_25_and_keeps_the_filters(client, agent):
    SupportRequestFactory.create_batch(30, requester=agent)
    client.force_login(agent)
    response = client.get(reverse("support:list"), {"status": "all"})
    assert len(response.context["page_obj"].object_list) == 25
    html = html_of(response)
    assert "fr-pagination" in html
    assert "?status=all&amp;page=2" in html
    second = client.get(reverse("support:list"), {"status": "all", "page": 2})
    assert len(second.context["page_obj"].object_list) == 5


def test_list_query_count_does_not_grow_with_rows(client, agent, django_assert_num_queries):
    colleague = UserFactory(ddi=agent.ddi)
    tool = category(Axis.TOOL)
    now = timezone.now()
    SupportRequest.objects.bulk_create(
        SupportRequestFactory.build(
            requester=agent if n % 2 else colleague,
            ddi=agent.ddi,
            category=tool,
            reference=f"ACC-2011-{n + 1:05d}",
            status=Status.IN_PROGRESS,
            last_activity_at=now - timedelta(minutes=n),
        )
        for n in range(520)
    )
    client.force_login(agent)
    # Session, user, count, the DDI's name, the page of requests (with requester, category).
    with django_assert_num_queries(5):
        response = client.get(reverse("support:list"))
    assert response.context["page_obj"].paginator.count == 520
    with django_assert_num_queries(5):
        client.get(reverse("support:list"), {"status": "all", "page": 7, "q": "ACC"})
