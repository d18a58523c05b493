"""Canned answers: placeholders, the services' rules, the team's pages, and their use in
a request's reply box."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accompagnement.axes.models import Axis, Category
from accompagnement.support.canned import render_placeholders, unknown_placeholders
from accompagnement.support.enums import MessageKind
from accompagnement.support.models import SupportRequest
from accompagnement.support.selectors.canned import canned_choices_for_request
from accompagnement.support.services.canned import (
    canned_response_create,
    canned_response_delete,
    canned_response_update,
)
from accompagnement.support.services.replies import support_request_reply_and_transition
from accompagnement.support.team_models import CannedResponse
from tests.accounts.factories import UserFactory
from tests.support.factories import MessageFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
LIST_URL = "/equipe/reponses-types/"
CREATE_URL = "/equipe/reponses-types/nouvelle/"


def category(axis=Axis.TOOL, index=0):
    return Category.objects.filter(axis=axis, is_active=True).order_by("pk")[index]


def canned(title="Demande de précisions : numéro d'EJ", body="Bonjour {demandeur},", **fields):
    return CannedResponse.objects.create(title=title, body=body, **fields)


def html_of(response) -> str:
    return response.content.decode()


def request_for(agent, **fields):
    agent.first_name, agent.last_name = "Agnès", "Martin"
    agent.save(update_fields=["first_name", "last_name"])
    return SupportRequestFactory(requester=agent, **fields)


# ---------------------------------------------------------------------------- placeholders


def test_placeholders_become_the_request_s_values(agent, member):
    member.first_name, member.last_name = "Claire", "Fontaine"
    member.save(update_fields=["first_name", "last_name"])
    support_request = request_for(
        agent,
        assignee=member,
        resolution_due=datetime(2026, 3, 9, 17, 0, tzinfo=PARIS),
    )
    body = (
        "Bonjour {demandeur}, votre demande {reference} de la {ddi} sera traitée avant le "
        "{echeance} par {attribuee_a}."
    )
    assert render_placeholders(body, support_request) == (
        f"Bonjour Agnès Martin, votre demande {support_request.reference} de la "
        f"{agent.ddi.kind} {agent.ddi.department.code} sera traitée avant le lundi 9 mars 2026 "
        "par Claire Fontaine."
    )


def test_an_unassigned_request_is_followed_by_the_team(agent):
    support_request = request_for(agent)
    assert render_placeholders("Suivie par {attribuee_a}.", support_request) == (
        "Suivie par l’équipe."
    )


def test_only_known_placeholders_are_replaced(agent):
    support_request = request_for(agent)
    body = "{demandeur} {0} {a.b} { demandeur } {inconnu}"
    assert (
        render_placeholders(body, support_request)
        == "Agnès Martin {0} {a.b} { demandeur } {inconnu}"
    )
    assert unknown_placeholders(body + " {inconnu} {foo}") == ["0", "inconnu", "foo"]


# ---------------------------------------------------------------------------- services


def test_create_keeps_the_answer_and_its_author(member):
    answer = canned_response_create(
        author=member,
        title="  Habilitation : circuit de demande ",
        body="Bonjour {demandeur},\n\nLe circuit est le suivant.",
        category=category(Axis.TOOL),
    )
    answer.refresh_from_db()
    assert answer.title == "Habilitation : circuit de demande"
    assert answer.created_by == member
    assert answer.axis == Axis.TOOL  # the category says its axis
    assert answer.usage_count == 0


def test_a_title_is_unique_whatever_the_case(member):
    canned(title="Réorientation vers le CSP")
    with pytest.raises(ValidationError) as error:
        canned_response_create(author=member, title="réorientation VERS le csp", body="Texte")
    assert error.value.message_dict["title"] == [
        "Une réponse type porte déjà ce titre : « Réorientation vers le CSP »."
    ]


def test_an_unknown_placeholder_is_refused_with_the_allowed_ones(member):
    with pytest.raises(ValidationError) as error:
        canned_response_create(author=member, title="Relance", body="Bonjour {foo} et {ddi}")
    assert error.value.message_dict["body"] == [
        "Champ inconnu : {foo}. Les champs possibles sont : {demandeur}, {reference}, {ddi}, "
        "{echeance}, {attribuee_a} (écrits entre accolades, sans espace)."
    ]
    assert not CannedResponse.objects.exists()


def test_empty_title_and_body_and_a_category_of_another_axis_are_refused(member):
    with pytest.raises(ValidationError) as error:
        canned_response_create(
            author=member, title=" ", body=" ", axis=Axis.YEAR_END, category=category(Axis.TOOL)
        )
    messages = error.value.message_dict
    assert messages["title"] == ["Donnez un titre à la réponse type."]
    assert messages["body"] == ["Le texte de la réponse type est vide."]
    assert "ne relève pas de l’axe" in messages["category"][0]


def test_an_agent_cannot_write_canned_answers(agent):
    with pytest.raises(PermissionDenied):
        canned_response_create(author=agent, title="Titre", body="Texte")
    answer = canned()
    with pytest.raises(PermissionDenied):
        canned_response_update(canned_response=answer, user=agent, title="Autre", body="Texte")
    with pytest.raises(PermissionDenied):
        canned_response_delete(canned_response=answer, user=agent)
    assert CannedResponse.objects.get().title == answer.title


def test_update_keeps_its_own_title_but_not_another_s(member):
    answer = canned(title="Numéro d'EJ")
    canned(title="Circuit d'habilitation")
    canned_response_update(
        canned_response=answer, user=member, title="NUMÉRO D'EJ", body="Nouveau texte"
    )
    answer.refresh_from_db()
    assert (answer.title, answer.body) == ("NUMÉRO D'EJ", "Nouveau texte")
    with pytest.raises(ValidationError):
        canned_response_update(
            canned_response=answer, user=member, title="circuit d'habilitation", body="x"
        )
    answer.refresh_from_db()
    assert answer.title == "NUMÉRO D'EJ"


def test_a_reply_counts_the_canned_answer_it_started_from(agent, member):
    answer = canned()
    support_request = request_for(agent)
    support_request_reply_and_transition(
        request=support_request, author=member, body="Bonjour", canned_response_id=answer.pk
    )
    support_request_reply_and_transition(
        request=support_request, author=member, body="Et encore", canned_response_id=answer.pk
    )
    support_request_reply_and_transition(request=support_request, author=member, body="Sans")
    # An answer deleted meanwhile: the reply is sent all the same.
    support_request_reply_and_transition(
        request=support_request, author=member, body="Supprimée", canned_response_id=999_999
    )
    answer.refresh_from_db()
    assert answer.usage_count == 2
    assert support_request.messages.count() == 4


# ---------------------------------------------------------------------------- the list


def test_agents_get_a_403_on_every_canned_page(client, agent):
    answer = canned()
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)
    for url in (
        LIST_URL,
        CREATE_URL,
        f"{LIST_URL}{answer.pk}/modifier/",
        f"{LIST_URL}{answer.pk}/supprimer/",
        f"/equipe/demandes/{support_request.reference}/reponses-types/{answer.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{LIST_URL}{answer.pk}/supprimer/").status_code == 403
    assert CannedResponse.objects.filter(pk=answer.pk).exists()


def test_list_searches_by_title_and_filters_by_axis_and_category(client, member):
    tool, other_tool = category(Axis.TOOL, 0), category(Axis.TOOL, 1)
    ej = canned(title="Demande de précisions : numéro d'EJ", axis=Axis.TOOL, category=tool)
    habilitation = canned(title="Habilitation : circuit", axis=Axis.TOOL, category=other_tool)
    year_end = canned(title="Charges à payer : rappel", axis=Axis.YEAR_END, usage_count=7)
    client.force_login(member)

    def titles(**query):
        html = html_of(client.get(LIST_URL, query))
        answers = (ej, habilitation, year_end)
        return {a.title for a in answers if f'id="reponse-type-{a.pk}"' in html}

    assert titles() == {ej.title, habilitation.title, year_end.title}
    assert titles(q="CIRCUIT") == {habilitation.title}
    assert titles(axis=Axis.TOOL) == {ej.title, habilitation.title}
    assert titles(category=tool.pk) == {ej.title}
    assert titles(axis="bidon", category="x") == {ej.title, habilitation.title, year_end.title}
    html = html_of(client.get(LIST_URL, {"q": "charges"}))
    assert ">7</td>" in html  # its usage count
    assert "1 réponse type" in html


def test_list_query_count_does_not_grow_with_rows(client, member):
    author = UserFactory(member=True)
    client.force_login(member)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST_URL).status_code == 200
        return len(captured)

    canned(title="La première", created_by=author, category=category())
    few = queries()
    CannedResponse.objects.bulk_create(
        CannedResponse(
            title=f"Réponse {n}",
            body="Texte",
            created_by=UserFactory(member=True),
            category=category(),
        )
        for n in range(40)
    )
    assert queries() == few


def test_the_team_s_menu_links_the_canned_answers(client, member, agent):
    client.force_login(member)
    assert f'href="{LIST_URL}"' in html_of(client.get("/"))
    client.force_login(agent)
    assert f'href="{LIST_URL}"' not in html_of(client.get("/"))


# ---------------------------------------------------------------------------- writing


def test_member_creates_edits_and_deletes_an_answer(client, member):
    client.force_login(member)
    response = client.post(
        CREATE_URL,
        {
            "title": "Réorientation vers le CSP",
            "body": "Bonjour {demandeur}, cette question relève de votre CSP.",
            "axis": Axis.PROCESS,
            "category": "",
        },
    )
    assert response.status_code == 302
    answer = CannedResponse.objects.get()
    assert (answer.axis, answer.created_by) == (Axis.PROCESS, member)
    assert "Réorientation vers le CSP" in html_of(client.get(response.url))

    edit_url = f"{LIST_URL}{answer.pk}/modifier/"
    assert "cette question relève de votre CSP" in html_of(client.get(edit_url))
    response = client.post(
        edit_url, {"title": "Réorientation CSP", "body": "Texte revu", "axis": "", "category": ""}
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.title, answer.body, answer.axis) == ("Réorientation CSP", "Texte revu", "")

    delete_url = f"{LIST_URL}{answer.pk}/supprimer/"
    confirmation = html_of(client.get(delete_url))
    assert "Supprimer la réponse type ?" in confirmation
    assert CannedResponse.objects.exists()  # a GET deletes nothing
    assert client.post(delete_url).status_code == 302
    assert not CannedResponse.objects.exists()
    assert client.get(edit_url).status_code == 404


def test_the_form_shows_the_services_messages(client, member):
    canned(title="Numéro d'EJ")
    client.force_login(member)
    response = client.post(
        CREATE_URL, {"title": "numéro d'ej", "body": "Bonjour {nom}", "axis": "", "category": ""}
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "Une réponse type porte déjà ce titre : « Numéro d&#x27;EJ »." in html
    assert "Champ inconnu : {nom}. Les champs possibles sont : {demandeur}" in html
    assert CannedResponse.objects.count() == 1


def test_a_team_reply_is_saved_as_a_canned_answer_from_the_request_page(client, agent, member):
    support_request = request_for(agent, category=category(Axis.TOOL, 1))
    reply = MessageFactory(
        request=support_request,
        author=member,
        body=f"Bonjour Agnès Martin, pour la demande {support_request.reference}, voici.",
    )
    client.force_login(member)
    page = html_of(client.get(reverse("support:detail", args=[support_request.reference])))
    link = f"{CREATE_URL}?depuis={reply.pk}"
    assert link in page
    form = client.get(link).context["form"]
    assert form.initial["body"] == "Bonjour {demandeur}, pour la demande {reference}, voici."
    assert form.initial["category"] == support_request.category
    assert form.initial["axis"] == support_request.axis


def test_only_a_public_team_reply_can_become_a_canned_answer(client, agent, member):
    support_request = request_for(agent)
    note = MessageFactory(request=support_request, author=member, internal=True, body="Secret")
    from_agent = MessageFactory(request=support_request, author=agent, body="Question")
    client.force_login(member)
    page = html_of(client.get(reverse("support:detail", args=[support_request.reference])))
    for message in (note, from_agent):
        assert f"?depuis={message.pk}" not in page
        assert client.get(CREATE_URL, {"depuis": message.pk}).context["form"].initial == {}
    assert client.get(CREATE_URL, {"depuis": "9" * 30}).status_code == 200


# ---------------------------------------------------------------------------- the reply box


def test_the_picker_offers_the_request_s_category_then_axis_then_the_others(agent):
    support_request = request_for(agent, axis=Axis.TOOL, category=category(Axis.TOOL, 0))
    other = canned(title="Autre axe", axis=Axis.YEAR_END, usage_count=50)
    same_axis = canned(title="Même axe", axis=Axis.TOOL, category=category(Axis.TOOL, 1))
    same_category = canned(title="Même catégorie", axis=Axis.TOOL, category=category(Axis.TOOL, 0))
    everywhere = canned(title="Pour tous", usage_count=3)
    groups = canned_choices_for_request(support_request)
    assert groups == [
        ("Pour cette catégorie", [(same_category.pk, same_category.title)]),
        ("Pour cet axe", [(same_axis.pk, same_axis.title)]),
        ("Autres réponses types", [(other.pk, other.title), (everywhere.pk, everywhere.title)]),
    ]


def test_the_request_page_shows_the_picker_to_the_team_only(client, agent, member):
    answer = canned()
    support_request = request_for(agent)
    url = reverse("support:detail", args=[support_request.reference])
    client.force_login(member)
    page = html_of(client.get(url))
    assert 'id="choix-reponse-type"' in page
    assert f'<option value="{answer.pk}">{escape(answer.title)}</option>' in page
    client.force_login(agent)
    assert 'id="choix-reponse-type"' not in html_of(client.get(url))


def test_the_text_for_the_reply_box_is_filled_in_for_the_request(client, agent, member):
    answer = canned(body="Bonjour {demandeur}, au sujet de {reference} :")
    support_request = request_for(agent)
    client.force_login(member)
    response = client.get(
        f"/equipe/demandes/{support_request.reference}/reponses-types/{answer.pk}/"
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "id": answer.pk,
        "title": answer.title,
        "text": f"Bonjour Agnès Martin, au sujet de {support_request.reference} :",
    }
    assert (
        client.get(f"/equipe/demandes/{support_request.reference}/reponses-types/999999/")
    ).status_code == 404


def test_without_javascript_the_picker_fills_the_reply_box(client, agent, member):
    answer = canned(body="Bonjour {demandeur},\n\nMerci de nous indiquer le numéro d'EJ.")
    support_request = request_for(agent)
    url = reverse("support:detail", args=[support_request.reference])
    client.force_login(member)
    response = client.get(url, {"reponse_type": answer.pk})
    form = response.context["reply_form"]
    assert form["body"].value() == "Bonjour Agnès Martin,\n\nMerci de nous indiquer le numéro d'EJ."
    assert form["canned_response"].value() == answer.pk
    html = html_of(response)
    assert "Merci de nous indiquer le numéro d&#x27;EJ.</textarea>" in html
    assert f'name="canned_response" value="{answer.pk}"' in html
    # A tampered or unknown number: the page as without it.
    for value in ("abc", "-1", "9" * 40, "999999"):
        response = client.get(url, {"reponse_type": value})
        assert response.status_code == 200
        assert response.context["reply_form"]["body"].value() is None


def test_an_agent_cannot_fill_the_reply_box_with_a_canned_answer(client, agent):
    answer = canned(body="Texte interne de l'équipe")
    support_request = request_for(agent)
    client.force_login(agent)
    response = client.get(
        reverse("support:detail", args=[support_request.reference]), {"reponse_type": answer.pk}
    )
    assert "Texte interne de l" not in html_of(response)


def test_sending_a_reply_started_from_a_canned_answer_counts_it(client, agent, member):
    answer = canned()
    support_request = request_for(agent)
    client.force_login(member)
    response = client.post(
        reverse("support:reply", args=[support_request.reference]),
        {
            "kind": "public",
            "body": "Bonjour Agnès Martin, texte relu et complété.",
            "version": support_request.version,
            "canned_response": str(answer.pk),
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.usage_count == 1
    message = support_request.messages.get()
    assert (message.kind, message.body) == (
        MessageKind.PUBLIC,
        "Bonjour Agnès Martin, texte relu et complété.",
    )
    # A tampered id counts nothing and does not stop the reply.
    response = client.post(
        reverse("support:reply", args=[support_request.reference]),
        {
            "kind": "public",
            "body": "Autre",
            "version": SupportRequest.objects.get(pk=support_request.pk).version,
            "canned_response": "1 OR 1=1",
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.usage_count == 1
