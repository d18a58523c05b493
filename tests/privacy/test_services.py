"""Personal data: anonymisation after the retention delay, and one person's export."""

import importlib
import io
import json
import os
import re
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.alerts.services import alert_record
from accompagnement.privacy import tasks as privacy_tasks
from accompagnement.privacy.services import support_requests_anonymise_due
from accompagnement.problems.services import problem_attach_requests
from accompagnement.support.enums import MessageKind, Status
from accompagnement.support.models import Attachment, Event, Message, SupportRequest
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import support_request_transition
from accompagnement.support.services.team_actions import (
    support_request_assign,
    support_request_link,
)
from tests.accounts.factories import UserFactory
from tests.interventions.factories import RegistrationFactory
from tests.problems.factories import ProblemFactory
from tests.support.factories import EventFactory, MessageFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = "[Contenu anonymisé à l’issue de la durée de conservation]"


def closed(days_ago, **kwargs):
    at = timezone.now() - timedelta(days=days_ago)
    created = at - timedelta(days=10)
    return SupportRequestFactory(
        status=Status.CLOSED,
        created_at=created,
        first_response_at=created + timedelta(days=1),
        resolved_at=at - timedelta(days=1),
        closed_at=at,
        **kwargs,
    )


FILE_CONTENT = b"%PDF-1.4 relev\xc3\xa9"


def with_file(support_request, author, name="releve-bancaire-dupont.pdf"):
    attachment = Attachment(
        request=support_request,
        uploaded_by=author,
        original_name=name,
        content_type="application/pdf",
        size=4,
    )
    attachment.file.save(name, ContentFile(FILE_CONTENT), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def old_request(settings, member):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    requester = UserFactory(first_name="Camille", last_name="Dupont")
    colleague = UserFactory(ddi=requester.ddi, first_name="Dominique", last_name="Martin")
    support_request = closed(400, requester=requester, followers=[colleague], assignee=member)
    MessageFactory(request=support_request, body="Mon numéro perso : 06 12 34 56 78")
    MessageFactory(request=support_request, internal=True, author=member, body="Note interne")
    EventFactory(request=support_request, comment="Appelé Mme Dupont")
    return support_request


def test_old_closed_request_is_anonymised_and_keeps_its_figures(
    old_request, member, django_capture_on_commit_callbacks
):
    attachment = with_file(old_request, old_request.requester)
    path = attachment.file.path
    before = SupportRequest.objects.values(
        "ddi",
        "category",
        "axis",
        "programme",
        "status",
        "priority",
        "created_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "first_response_days",
        "resolution_days",
        "assignee",
    ).get(pk=old_request.pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert privacy_tasks.personal_data_anonymise() == 1

    after = SupportRequest.objects.values(*before).get(pk=old_request.pk)
    assert after == before
    old_request.refresh_from_db()
    assert old_request.title.startswith("[Contenu anonymisé")
    assert old_request.body == PLACEHOLDER
    assert old_request.requester.email.endswith("@anonymise.invalid")
    assert old_request.requester.ddi == old_request.ddi
    assert not old_request.requester.is_active
    assert not old_request.followers.exists()
    assert set(Message.objects.filter(request=old_request).values_list("body", flat=True)) == {
        PLACEHOLDER
    }
    # The team member's note keeps its author; the agent's message does not.
    authors = set(Message.objects.filter(request=old_request).values_list("author", flat=True))
    assert authors == {member.pk, old_request.requester.pk}
    assert Event.objects.get(request=old_request).comment == PLACEHOLDER
    assert not Attachment.objects.filter(request=old_request).exists()
    assert not os.path.exists(path)
    assert timezone.now() - old_request.anonymised_at < timedelta(minutes=1)


def test_the_teams_alerts_lose_the_requests_title_and_its_author(old_request, member):
    alert_record(
        kind=AlertKind.AGENT_REPLY,
        recipients=[member],
        request=old_request,
        actor=old_request.requester,
        text=f"Message de la DDI sur {old_request.reference} « {old_request.title} »",
        key="agent_reply:1",
    )
    privacy_tasks.personal_data_anonymise()
    old_request.refresh_from_db()
    alert = Alert.objects.get()
    assert alert.text == PLACEHOLDER
    assert alert.actor == old_request.requester  # the DDI's placeholder account


def test_the_request_page_says_the_request_was_anonymised(client, old_request, member):
    client.force_login(member)
    page = client.get(f"/demandes/{old_request.reference}/").content.decode()
    assert "Demande anonymisée le" not in page
    support_requests_anonymise_due(batch_size=10)
    page = client.get(f"/demandes/{old_request.reference}/").content.decode()
    assert "Demande anonymisée le" in page
    assert "Mon numéro perso" not in page
    assert "Camille" not in page


# ---------------------------------------------------------------------------- frozen afterwards


@pytest.fixture
def anonymised(old_request):
    support_requests_anonymise_due(batch_size=10)
    old_request.refresh_from_db()
    assert old_request.anonymised_at is not None
    return old_request


FROZEN = "Cette demande est anonymisée"


def test_no_service_changes_an_anonymised_request(anonymised, member):
    version = anonymised.version
    other = SupportRequestFactory()
    attempts = [
        lambda: support_request_reply(request=anonymised, author=member, body="Encore ?"),
        lambda: support_request_transition(
            request=anonymised, user=member, to_status=Status.IN_PROGRESS
        ),
        lambda: support_request_assign(request=anonymised, user=member, assignee=member),
        lambda: support_request_link(request=anonymised, user=member, other=other),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=FROZEN):
            attempt()
    anonymised.refresh_from_db()
    assert (anonymised.version, anonymised.status) == (version, Status.CLOSED)
    assert not anonymised.related.exists()
    assert Message.objects.filter(request=anonymised, body="Encore ?").count() == 0


def test_the_page_of_an_anonymised_request_offers_no_action(client, anonymised, member):
    client.force_login(member)
    page = client.get(f"/demandes/{anonymised.reference}/").content.decode()
    assert "aucune action n’est possible" in page
    assert "Me l’attribuer" not in page
    assert 'id="repondre"' not in page
    response = client.post(f"/demandes/{anonymised.reference}/repondre/", {"body": "Encore ?"})
    assert response.status_code == 403
    client.force_login(UserFactory(ddi=anonymised.ddi))  # an agent of its DDI
    page = client.get(f"/demandes/{anonymised.reference}/").content.decode()
    assert "Demande anonymisée le" in page
    assert 'id="repondre"' not in page


def test_an_anonymised_request_is_not_attached_to_a_problem(anonymised, member):
    problem = ProblemFactory(created_by=member)
    fresh = SupportRequestFactory()
    outcome = problem_attach_requests(problem=problem, user=member, requests=[anonymised, fresh])
    assert outcome.attached == [fresh]
    assert outcome.anonymised == [anonymised]
    anonymised.refresh_from_db()
    assert anonymised.problem_id is None


def test_the_migration_marks_the_requests_anonymised_before_the_field_existed(old_request):
    """Until migration 0011 an anonymised request was known by its placeholder requester."""
    support_requests_anonymise_due(batch_size=10)
    SupportRequest.objects.update(anonymised_at=None)
    kept = closed(400, title="Jamais anonymisée")
    migration = importlib.import_module(
        "accompagnement.migrations.0011_queue_indexes_anonymised_at"
    )
    migration.mark_anonymised_requests(apps, None)
    old_request.refresh_from_db()
    kept.refresh_from_db()
    assert old_request.anonymised_at is not None
    assert kept.anonymised_at is None


def test_anonymisation_is_done_once_and_spares_recent_or_open_requests(old_request):
    recent = closed(100, title="Récente")
    still_open = SupportRequestFactory(
        created_at=timezone.now() - timedelta(days=900), title="Ouverte"
    )
    assert support_requests_anonymise_due(batch_size=1) == 1
    assert support_requests_anonymise_due(batch_size=1) == 0
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert (recent.title, still_open.title) == ("Récente", "Ouverte")


def test_batches_cover_every_due_request(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    for _index in range(5):
        closed(60)
    assert support_requests_anonymise_due(batch_size=2) == 5
    assert not SupportRequest.objects.exclude(body=PLACEHOLDER).exists()


def _figures(client):
    """The numbers the pilot reads on the dashboards (cache emptied: computed afresh)."""
    numbers = []
    for name in ("steering:index", "steering:quality", "steering:team", "steering:map"):
        cache.clear()
        page = client.get(reverse(name)).content.decode()
        main = page[page.index("<main") :]
        main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
        numbers.append(re.findall(r">\s*([\d  ,.%]+)\s*<", main))
    return numbers


def test_dashboards_show_the_same_figures_after_anonymisation(client, pilot, settings, member):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    for days in (400, 500, 800, 20):
        support_request = closed(days, assignee=member)
        MessageFactory(request=support_request)
    client.force_login(pilot)
    before = _figures(client)
    assert any(before)
    assert support_requests_anonymise_due(batch_size=10) == 3
    assert _figures(client) == before


# ---------------------------------------------------------------------------- export


def read_archive(response) -> tuple[list[str], dict, dict[str, bytes]]:
    """The names in the ZIP, the JSON data, and the files (name → bytes)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)
    response.close()  # as the server does once sent: closes the temporary file
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("donnees.json"))
        files = {n: archive.read(n) for n in names if n.startswith("pieces-jointes/")}
    return names, data, files


def export_url(email, download=False):
    url = reverse("personal_data_export") + f"?email={email}"
    return url + "&telecharger=1" if download else url


def test_export_holds_what_the_person_wrote_and_nothing_from_others(client, pilot, member):
    person = UserFactory(first_name="Camille", last_name="Dupont")
    other = UserFactory(ddi=person.ddi)
    theirs = SupportRequestFactory(requester=person, title="Ma restitution vide")
    MessageFactory(request=theirs, author=person, body="Texte de Camille")
    MessageFactory(request=theirs, author=member, body="Réponse de l’équipe")
    MessageFactory(request=theirs, internal=True, author=member, body="Note sur Camille")
    followed = SupportRequestFactory(requester=other, followers=[person], title="Suivie")
    MessageFactory(request=followed, author=other, body="Texte d’un collègue")
    SupportRequestFactory(requester=other, title="Pas la sienne")
    with_file(theirs, person, name="piece-de-camille.pdf")
    RegistrationFactory(person=person, ddi=person.ddi)

    client.force_login(pilot)
    page = client.get(export_url(person.email.upper())).content.decode()
    assert "Camille Dupont" in page
    assert "Télécharger ses données (ZIP)" in page

    response = client.get(export_url(person.email, download=True))
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.zip"')
    names, data, files = read_archive(response)
    assert names[0] == "donnees.json"
    assert data["compte"]["adresse_electronique"] == person.email
    assert [r["titre"] for r in data["demandes_deposees"]] == ["Ma restitution vide"]
    assert [r["titre"] for r in data["demandes_suivies"]] == ["Suivie"]
    assert [m["texte"] for m in data["messages_ecrits"]] == ["Texte de Camille"]
    assert [a["nom"] for a in data["pieces_jointes_deposees"]] == ["piece-de-camille.pdf"]
    [kept] = data["pieces_jointes_deposees"]
    assert kept["fichier"].startswith(f"pieces-jointes/{theirs.reference}/")
    assert kept["fichier"].endswith("-piece-de-camille.pdf")
    assert files == {kept["fichier"]: FILE_CONTENT}
    assert len(data["inscriptions"]) == 1
    text = json.dumps(data, ensure_ascii=False)
    for foreign in (
        "Réponse de l’équipe",
        "Note sur Camille",
        "Texte d’un collègue",
        "Pas la sienne",
    ):
        assert foreign not in text
    assert other.email not in text


def test_a_file_missing_from_storage_is_named_not_fatal(client, pilot):
    person = UserFactory()
    attachment = with_file(SupportRequestFactory(requester=person), person, name="perdu.pdf")
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(pilot)
    response = client.get(export_url(person.email, download=True))
    names, data, files = read_archive(response)
    assert files == {}
    assert data["pieces_jointes_deposees"][0]["nom"] == "perdu.pdf"
    assert "fichiers-manquants.txt" in names


def test_unknown_address_says_so(client, pilot):
    client.force_login(pilot)
    response = client.get(export_url("personne@example.org"))
    assert "Aucun compte n’a cette adresse électronique." in response.content.decode()
    response = client.get(export_url("personne@example.org", download=True))
    assert response["Content-Type"].startswith("text/html")


def test_a_member_cannot_export(client, member, agent):
    client.force_login(member)
    assert client.get(export_url(agent.email, download=True)).status_code == 403


def test_internal_notes_a_member_wrote_are_in_their_export(client, pilot, member):
    support_request = SupportRequestFactory()
    MessageFactory(request=support_request, internal=True, author=member, body="Ma note")
    client.force_login(pilot)
    _names, data, _files = read_archive(client.get(export_url(member.email, download=True)))
    assert data["messages_ecrits"][0]["texte"] == "Ma note"
    assert data["messages_ecrits"][0]["nature"] == MessageKind.INTERNAL.label
