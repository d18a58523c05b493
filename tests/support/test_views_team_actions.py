"""The team's panel on a request and its actions (`/equipe/demandes/<reference>/…`)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accompagnement.support.enums import EventKind, Status
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.panel import team_panel_context
from accompagnement.support.services.requests import ConcurrentUpdateError
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import MinistryFactory, ProgrammeFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

ACTIONS = ("assign", "transition", "duplicate", "link")
HTMX = {"HTTP_HX_REQUEST": "true"}


def action_url(name: str, support_request) -> str:
    return reverse(f"support:{name}", args=[support_request.reference])


def post(client, name, support_request, version=None, htmx=False, **data):
    data["version"] = support_request.version if version is None else version
    return client.post(action_url(name, support_request), data, **(HTMX if htmx else {}))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def reload(support_request) -> SupportRequest:
    return SupportRequest.objects.get(pk=support_request.pk)


@pytest.fixture
def support_request(db):
    return SupportRequestFactory()


# ---------------------------------------------------------------------------- access


def test_action_urls():
    assert reverse("support:assign", args=["ACC-2011-00001"]) == (
        "/equipe/demandes/ACC-2011-00001/attribuer/"
    )


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_agents_are_refused_every_action(client, support_request, name, method):
    # Even the agent of the request's own DDI.
    client.force_login(support_request.requester)
    response = getattr(client, method)(action_url(name, support_request))
    assert response.status_code == 403
    assert reload(support_request).version == support_request.version


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_are_post_only(client, member, support_request, name):
    client.force_login(member)
    assert client.get(action_url(name, support_request)).status_code == 405


def test_unknown_reference_is_404(client, member):
    client.force_login(member)
    response = client.post("/equipe/demandes/ACC-2011-99999/attribuer/", {"version": 1})
    assert response.status_code == 404


# ---------------------------------------------------------------------------- the panel


def panel_for(user, support_request):
    http_request = RequestFactory().get("/")
    http_request.user = user
    return team_panel_context(http_request, support_request)["team_panel"]


def test_panel_is_for_the_team_only(agent, member, support_request):
    assert panel_for(agent, support_request) is None
    panel = panel_for(member, support_request)
    assert panel.urls["assign"] == action_url("assign", support_request)
    assert panel.page_url == f"/demandes/{support_request.reference}/"


def test_panel_offers_only_the_allowed_statuses(member, support_request):
    forms = panel_for(member, support_request).forms
    # New: in progress, waiting, resolved, closed; escalating and redirecting are the
    # partners' part of the panel (tests/partners/test_views_escalations.py).
    assert [value for value, _ in forms["transition"].fields["to_status"].choices] == [
        "in_progress",
        "waiting_ddi",
        "resolved",
        "closed",
    ]
    assert set(forms) == {"assign", "accept_proposal", "transition", "duplicate", "link"} | {
        "triage",
        "merge",
    }
    assert forms["duplicate"]
    assert forms["assign"].initial["version"] == support_request.version

    closed = SupportRequestFactory(status=Status.CLOSED)
    forms = panel_for(member, closed).forms
    assert [value for value, _ in forms["transition"].fields["to_status"].choices] == [
        "in_progress"
    ]
    assert forms["duplicate"] is None


def test_panel_suggests_the_referents_of_the_programmes_ministry(member):
    ministry = MinistryFactory()
    programme = ProgrammeFactory(ministry=ministry)
    referent = TeamMemberFactory(referent_ministry=ministry).user
    support_request = SupportRequestFactory(programme=programme)
    choices = panel_for(member, support_request).forms["assign"].fields["assignee"].choices
    groups = {label: options for label, options in choices if isinstance(options, list)}
    assert [pk for pk, _ in groups["Référents suggérés"]] == [referent.pk]
    assert {pk for pk, _ in groups["Toute l’équipe"]} >= {referent.pk, member.pk}


def test_request_page_shows_the_panel_with_htmx_from_the_package(client, member, support_request):
    client.force_login(member)
    response = client.get(f"/demandes/{support_request.reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Actions de l’équipe" in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "unpkg" not in html and "jsdelivr" not in html
    assert f'hx-post="{action_url("assign", support_request)}"' in html
    assert f'name="version" value="{support_request.version}"' in html


def test_agent_does_not_see_the_panel(client, support_request):
    client.force_login(support_request.requester)
    html = client.get(f"/demandes/{support_request.reference}/").content.decode()
    assert "Actions de l’équipe" not in html


# ---------------------------------------------------------------------------- assign


def test_assign_to_myself_without_javascript(client, member, support_request):
    client.force_login(member)
    response = post(client, "assign", support_request, assignee="me")
    assert response.status_code == 302
    assert response.url == f"/demandes/{support_request.reference}/"
    assert reload(support_request).assignee == member
    assert reload(support_request).version == support_request.version + 1
    assert "La demande vous est attribuée." in messages_of(response)
    assert Event.objects.get(kind=EventKind.ASSIGNED).actor == member


def test_assign_to_another_member_then_to_nobody(client, member, support_request):
    colleague = TeamMemberFactory().user
    client.force_login(member)
    post(client, "assign", support_request, assignee=str(colleague.pk))
    assert reload(support_request).assignee == colleague
    post(client, "assign", reload(support_request), assignee="none")
    assert reload(support_request).assignee is None


def test_assign_refuses_someone_outside_the_team(client, member, support_request, agent):
    client.force_login(member)
    response = post(client, "assign", support_request, assignee=str(agent.pk))
    assert response.status_code == 302
    assert reload(support_request).assignee is None
    assert any("n’a pas été enregistrée" in t for t in messages_of(response))


def test_assign_with_htmx_answers_the_panel_alone(client, member, support_request):
    client.force_login(member)
    response = post(client, "assign", support_request, htmx=True, assignee="me")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "demande-modifiee"
    html = response.content.decode()
    assert html.lstrip().startswith("<section") or '<section id="panneau-equipe"' in html
    assert "<html" not in html
    assert "htmx-2.min.js" not in html  # already loaded by the page
    assert "La demande vous est attribuée." in html
    # The new version is in the forms, ready for the next action.
    assert f'name="version" value="{support_request.version + 1}"' in html
    assert not messages_of(response)


# ---------------------------------------------------------------------------- status


def test_allowed_transition(client, member, support_request):
    client.force_login(member)
    response = post(
        client, "transition", support_request, to_status="waiting_ddi", comment="Merci de préciser."
    )
    assert response.status_code == 302
    assert reload(support_request).status == Status.WAITING_DDI
    event = Event.objects.get(kind=EventKind.STATUS)
    assert (event.old_value, event.new_value, event.comment) == (
        "new",
        "waiting_ddi",
        "Merci de préciser.",
    )


@pytest.mark.parametrize("target", ["escalated", "redirected", "new", "bogus"])
def test_transition_outside_the_offered_targets_is_refused(client, member, support_request, target):
    client.force_login(member)
    response = post(client, "transition", support_request, to_status=target)
    assert reload(support_request).status == Status.NEW
    assert any("n’a pas été enregistrée" in t for t in messages_of(response))


def test_refused_transition_with_htmx_shows_the_form_errors(client, member):
    closed = SupportRequestFactory(status=Status.CLOSED)
    client.force_login(member)
    response = post(client, "transition", closed, htmx=True, to_status="resolved")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert reload(closed).status == Status.CLOSED


# ---------------------------------------------------------------------------- duplicate, link


def test_duplicate_of_a_request_of_the_same_ddi(client, member, support_request):
    original = SupportRequestFactory(requester=UserFactory(ddi=support_request.ddi))
    client.force_login(member)
    response = post(client, "duplicate", support_request, original=original.reference.lower())
    assert response.status_code == 302
    duplicate = reload(support_request)
    assert duplicate.status == Status.CLOSED
    assert duplicate.duplicate_of == original
    assert Event.objects.filter(kind=EventKind.DUPLICATE, new_value=original.reference).exists()


def test_duplicate_of_another_ddis_request_is_refused(client, member, support_request):
    elsewhere = SupportRequestFactory()
    client.force_login(member)
    response = post(client, "duplicate", support_request, original=elsewhere.reference)
    assert reload(support_request).status == Status.NEW
    assert reload(support_request).duplicate_of is None
    assert any("même DDI" in t for t in messages_of(response))


@pytest.mark.parametrize("reference", ["ACC-1999-00001", "self"])
def test_duplicate_needs_another_existing_request(client, member, support_request, reference):
    if reference == "self":
        reference = support_request.reference
    client.force_login(member)
    response = post(client, "duplicate", support_request, htmx=True, original=reference)
    assert reload(support_request).status == Status.NEW
    assert '<details class="fr-mb-2w" id="panneau-doublon" open>' in response.content.decode()


def test_link_related_requests(client, member, support_request):
    other = SupportRequestFactory()
    client.force_login(member)
    response = post(client, "link", support_request, htmx=True, other=other.reference)
    assert response.status_code == 200
    assert list(reload(support_request).related.all()) == [other]
    assert list(other.related.all()) == [support_request]  # both ways
    assert Event.objects.filter(kind=EventKind.LINKED, new_value=other.reference).exists()
    # The panel lists it.
    assert f"/demandes/{other.reference}/" in response.content.decode()


# ---------------------------------------------------------------------------- concurrency


def test_a_stale_page_never_overwrites_a_colleagues_change(member, support_request):
    first = TeamMemberFactory(user=UserFactory(member=True, first_name="Nadia", last_name="Benali"))
    first_browser, second_browser = Client(), Client()
    first_browser.force_login(first.user)
    second_browser.force_login(member)
    # Both open the request page: same version in every form.
    for browser in (first_browser, second_browser):
        page = browser.get(f"/demandes/{support_request.reference}/").content.decode()
        assert f'name="version" value="{support_request.version}"' in page
    seen_version = support_request.version

    post(first_browser, "assign", support_request, version=seen_version, assignee="me")
    response = post(
        second_browser, "transition", support_request, version=seen_version, to_status="resolved"
    )

    assert response.status_code == 302
    assert response.url == f"/demandes/{support_request.reference}/"
    assert messages_of(response) == [
        "Cette demande a été modifiée entre-temps par Nadia Benali : voici son état actuel, "
        "votre action n’a pas été enregistrée."
    ]
    current = reload(support_request)
    assert current.status == Status.NEW
    assert current.assignee == first.user
    assert current.version == seen_version + 1
    assert not Event.objects.filter(kind=EventKind.STATUS).exists()
    # Back on the request page, the member sees the message and the current state.
    page = second_browser.get(response.url).content.decode()
    assert "modifiée entre-temps par Nadia Benali" in page
    assert f'name="version" value="{seen_version + 1}"' in page


def test_a_stale_page_with_htmx_shows_the_current_state(client, member, support_request):
    colleague = TeamMemberFactory().user
    seen_version = support_request.version
    client.force_login(colleague)
    post(client, "assign", support_request, version=seen_version, assignee="me")

    client.force_login(member)
    response = post(
        client, "link", support_request, version=seen_version, htmx=True, other="ACC-2011-99999"
    )
    html = response.content.decode()
    assert "modifiée entre-temps par" in html
    assert colleague.get_full_name() in html  # the current assignee
    assert f'name="version" value="{seen_version + 1}"' in html
    # The rest of the page is stale as well: it is told to refresh.
    assert response["HX-Trigger"] == "demande-modifiee"


def test_a_race_inside_the_service_is_reported_too(client, member, support_request, monkeypatch):
    from accompagnement.support.views import team_actions

    def changed_meanwhile(**kwargs):
        raise ConcurrentUpdateError(reload(support_request))

    monkeypatch.setattr(team_actions, "support_request_transition", changed_meanwhile)
    client.force_login(member)
    response = post(client, "transition", support_request, to_status="resolved")
    assert any("modifiée entre-temps" in t for t in messages_of(response))
