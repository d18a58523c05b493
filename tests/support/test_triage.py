"""The team's corrections of a request's classification (`services/triage.py`, the panel's
form at `/demandes/<reference>/trier/`, the queue's bulk corrections)."""

import lxml.html
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accompagnement.alerts.models import Alert
from accompagnement.axes.models import Axis
from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from accompagnement.support.enums import EventKind, Priority
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.selectors.requests import event_summary, request_timeline
from accompagnement.support.services.clock import clock_schedule_fields
from accompagnement.support.services.requests import ConcurrentUpdateError
from accompagnement.support.services.triage import support_request_triage
from tests.accounts.factories import UserFactory
from tests.ddi.factories import AttachmentFactory, ProgrammeFactory, ServiceCentreFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def reload(support_request) -> SupportRequest:
    return SupportRequest.objects.get(pk=support_request.pk)


def corrections(support_request) -> list[tuple[str, str, str, bool]]:
    return list(
        Event.objects.filter(request=support_request, kind=EventKind.CORRECTED)
        .order_by("pk")
        .values_list("field", "old_value", "new_value", "is_public")
    )


def triage(support_request, user, **changes):
    return support_request_triage(
        request=support_request, user=user, expected_version=support_request.version, **changes
    )


@pytest.fixture
def support_request(db):
    return SupportRequestFactory(
        category=CategoryFactory(axis=Axis.TOOL, name="Restitutions"), priority=Priority.NORMAL
    )


@pytest.fixture
def served(support_request):
    """A programme and a CSP serving the request's DDI."""
    return AttachmentFactory(
        ddi=support_request.ddi,
        programme=ProgrammeFactory(code="215", label="Conduite des politiques agricoles"),
        service_centre=ServiceCentreFactory(name="CSP Chorus de Dijon"),
    )


# ---------------------------------------------------------------------------- the service


def test_priority_change_writes_a_public_event_and_recounts_the_due_dates(support_request, member):
    before = reload(support_request)
    expected = clock_schedule_fields(before, priority=Priority.URGENT)

    [event] = triage(support_request, member, priority=Priority.URGENT)

    after = reload(support_request)
    assert after.priority == Priority.URGENT
    assert after.resolution_due == expected["resolution_due"]
    assert after.first_response_due == expected["first_response_due"]
    assert after.resolution_due < before.resolution_due
    assert after.version == before.version + 1
    assert corrections(support_request) == [("priority", "Normale", "Urgente", True)]
    assert event.actor == member
    assert event_summary(event) == "Priorité corrigée : Normale → Urgente"


def test_one_event_per_changed_field_only_priority_and_category_public(
    support_request, served, member
):
    category = CategoryFactory(axis=Axis.YEAR_END, name="Charges à payer")
    events = triage(
        support_request,
        member,
        priority=Priority.NORMAL,  # unchanged: no event
        axis=Axis.YEAR_END,
        category=category,
        programme=served.programme,
        service_centre=served.service_centre,
    )
    assert len(events) == 4
    assert corrections(support_request) == [
        ("axis", "Maîtrise de l'outil Chorus", str(Axis(Axis.YEAR_END).label), False),
        ("category", "Restitutions", "Charges à payer", True),
        ("programme", "", "P215 — Conduite des politiques agricoles", False),
        ("service_centre", "", "CSP Chorus de Dijon", False),
    ]
    after = reload(support_request)
    assert (after.axis, after.category, after.programme, after.service_centre) == (
        Axis.YEAR_END,
        category,
        served.programme,
        served.service_centre,
    )
    # Only the public corrections reach the agent's timeline.
    agent_summaries = [
        entry.summary
        for entry in request_timeline(user=after.requester, support_request=after)
        if entry.event is not None and entry.event.kind == EventKind.CORRECTED
    ]
    assert agent_summaries == ["Catégorie corrigée : Restitutions → Charges à payer"]


def test_raised_to_urgent_the_assignee_and_the_pilot_are_alerted_once(
    support_request, member, pilot
):
    assignee = UserFactory(member=True)
    SupportRequest.objects.filter(pk=support_request.pk).update(assignee=assignee)
    support_request = reload(support_request)
    triage(support_request, member, priority=Priority.URGENT)
    alerted = set(
        Alert.objects.filter(request=support_request, kind="urgent").values_list(
            "recipient", flat=True
        )
    )
    assert alerted == {assignee.pk, pilot.pk}
    # Lowered then raised again: still one alert each.
    support_request = reload(support_request)
    triage(support_request, member, priority=Priority.HIGH)
    triage(reload(support_request), member, priority=Priority.URGENT)
    assert Alert.objects.filter(request=support_request, kind="urgent").count() == 2


def test_nothing_changed_writes_nothing(support_request, member):
    version = support_request.version
    assert (
        triage(
            support_request,
            member,
            priority=support_request.priority,
            axis=support_request.axis,
            category=support_request.category,
            programme=None,
            service_centre=None,
        )
        == []
    )
    assert reload(support_request).version == version
    assert corrections(support_request) == []
    assert not Notification.objects.filter(kind="request_corrected").exists()


def test_a_category_alone_brings_its_axis(support_request, member):
    category = CategoryFactory(axis=Axis.YEAR_END)
    triage(support_request, member, category=category)
    assert reload(support_request).axis == Axis.YEAR_END


def test_category_must_belong_to_the_axis(support_request, member):
    with pytest.raises(ValidationError) as error:
        triage(support_request, member, axis=Axis.YEAR_END)  # its category stays "outil"
    assert "ne relève pas de l’axe" in error.value.message_dict["category"][0]
    with pytest.raises(ValidationError):
        triage(
            support_request,
            member,
            axis=Axis.YEAR_END,
            category=CategoryFactory(axis=Axis.TOOL),
        )
    assert reload(support_request).axis == Axis.TOOL
    assert corrections(support_request) == []


def test_an_inactive_category_is_refused(support_request, member):
    retired = CategoryFactory(axis=Axis.TOOL, is_active=False)
    with pytest.raises(ValidationError) as error:
        triage(support_request, member, category=retired)
    assert "n’est plus proposée" in error.value.message_dict["category"][0]


def test_programme_and_csp_must_serve_the_requests_ddi(support_request, member):
    elsewhere = AttachmentFactory()  # serves another DDI
    with pytest.raises(ValidationError) as error:
        triage(
            support_request,
            member,
            programme=elsewhere.programme,
            service_centre=elsewhere.service_centre,
        )
    assert set(error.value.message_dict) == {"programme", "service_centre"}
    assert reload(support_request).programme is None


def test_a_stale_version_changes_nothing(support_request, member):
    stale = support_request.version
    SupportRequest.objects.filter(pk=support_request.pk).update(version=stale + 1)
    with pytest.raises(ConcurrentUpdateError):
        support_request_triage(
            request=support_request,
            user=member,
            expected_version=stale,
            priority=Priority.URGENT,
        )
    assert reload(support_request).priority == Priority.NORMAL
    assert corrections(support_request) == []


def test_agents_cannot_correct(support_request):
    with pytest.raises(PermissionDenied):
        triage(support_request, support_request.requester, priority=Priority.URGENT)


def test_the_requester_is_told_only_of_priority_and_category(support_request, served, member):
    colleague = UserFactory(ddi=support_request.ddi)
    support_request.followers.add(colleague, member)
    triage(support_request, member, programme=served.programme)
    assert not Notification.objects.filter(kind="request_corrected").exists()

    triage(reload(support_request), member, priority=Priority.HIGH)
    recipients = set(
        Notification.objects.filter(kind="request_corrected").values_list("recipient", flat=True)
    )
    # The requester and the DDI's agents who follow it; not the member (told by alerts).
    assert recipients == {support_request.requester.pk, colleague.pk}

    for pk in Notification.objects.filter(kind="request_corrected").values_list("pk", flat=True):
        notification_send(notification_id=pk)
    email = next(m for m in mail.outbox if m.to == [support_request.requester.email])
    assert support_request.reference in email.subject
    assert "Priorité : Normale → Haute" in email.body
    assert "P215" not in email.body.split("Demande :")[0]  # the programme is not told


# ---------------------------------------------------------------------------- the page


def post_triage(client, support_request, htmx=False, **data):
    current = reload(support_request)
    fields = {
        "version": current.version,
        "priority": current.priority,
        "axis": current.axis,
        "category": current.category_id,
        "programme": current.programme_id or "",
        "service_centre": current.service_centre_id or "",
    }
    fields.update(data)
    return client.post(
        reverse("support:triage", args=[support_request.reference]),
        fields,
        **(HTMX if htmx else {}),
    )


def test_triage_url():
    assert reverse("support:triage", args=["ACC-2011-00001"]) == "/demandes/ACC-2011-00001/trier/"


def test_the_panel_offers_the_corrections_with_the_ddis_programmes_only(
    client, support_request, served, member
):
    other = AttachmentFactory()
    client.force_login(member)
    response = client.get(reverse("support:detail", args=[support_request.reference]))
    page = lxml.html.fromstring(response.content)
    [form] = page.xpath("//details[@id='panneau-trier']//form")
    assert form.get("action") == reverse("support:triage", args=[support_request.reference])
    centres = form.xpath(".//select[@id='id_triage_service_centre']//option/text()")
    assert "CSP Chorus de Dijon" in centres
    assert other.service_centre.name not in centres
    programmes = form.xpath(".//select[@id='id_triage_programme']//option/text()")
    assert "P215 — Conduite des politiques agricoles" in programmes
    assert str(other.programme) not in programmes
    # The current values are selected.
    assert form.xpath(".//select[@id='id_triage_category']//option[@selected]/text()") == [
        "Restitutions"
    ]


def test_a_member_corrects_from_the_panel_with_htmx(client, support_request, member):
    client.force_login(member)
    response = post_triage(client, support_request, htmx=True, priority=Priority.HIGH)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "demande-modifiee"
    assert "Classement corrigé (1 changement)." in response.content.decode()
    assert reload(support_request).priority == Priority.HIGH


def test_without_javascript_back_to_the_page_with_a_message(client, support_request, pilot):
    client.force_login(pilot)
    response = post_triage(client, support_request, priority=Priority.LOW)
    assert response.status_code == 302
    assert response.url == reverse("support:detail", args=[support_request.reference])
    assert reload(support_request).priority == Priority.LOW


def test_nothing_changed_is_said(client, support_request, member):
    client.force_login(member)
    response = post_triage(client, support_request, htmx=True)
    assert "Aucune correction" in response.content.decode()
    assert corrections(support_request) == []


def test_a_category_of_another_axis_is_refused_in_french(client, support_request, member):
    client.force_login(member)
    other_axis = CategoryFactory(axis=Axis.YEAR_END, name="Charges à payer")
    response = post_triage(client, support_request, htmx=True, category=other_axis.pk)
    html = response.content.decode()
    assert "ne relève pas de l’axe" in html
    assert reload(support_request).category != other_axis


def test_a_stale_page_is_told_and_changes_nothing(client, support_request, member):
    client.force_login(member)
    response = post_triage(
        client,
        support_request,
        htmx=True,
        priority=Priority.URGENT,
        version=support_request.version + 5,
    )
    assert "modifiée entre-temps" in response.content.decode()
    assert reload(support_request).priority == Priority.NORMAL


def test_agents_are_refused_even_of_their_own_ddi(client, support_request):
    client.force_login(support_request.requester)
    assert post_triage(client, support_request, priority=Priority.URGENT).status_code == 403
    client.force_login(UserFactory())  # another DDI
    assert post_triage(client, support_request, priority=Priority.URGENT).status_code == 403
    assert reload(support_request).priority == Priority.NORMAL


def test_hostile_values_are_refused_not_a_server_error(client, support_request, member):
    client.force_login(member)
    for value in ("<script>", "-1", "9" * 30, "\x00"):
        response = post_triage(
            client, support_request, htmx=True, category=value, programme=value, priority=value
        )
        assert response.status_code == 200
    assert corrections(support_request) == []


# ---------------------------------------------------------------------------- the queue


def bulk(client, action, requests, **data):
    selection = [f"{r.pk}:{reload(r).version}" for r in requests]
    return client.post(
        reverse("support:bulk_action"), {"action": action, "selection": selection, **data}
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_bulk_priority_goes_through_the_correction_of_each_request(client, member):
    requests = SupportRequestFactory.create_batch(3, priority=Priority.NORMAL)
    SupportRequest.objects.filter(pk=requests[2].pk).update(priority=Priority.URGENT)
    client.force_login(member)
    response = bulk(client, "priority", requests, priority=Priority.URGENT)
    assert response.status_code == 302
    assert {reload(r).priority for r in requests} == {Priority.URGENT}
    assert Event.objects.filter(kind=EventKind.CORRECTED, field="priority").count() == 2
    assert "2 demandes modifiées." in messages_of(response)
    assert "1 demande était déjà dans cet état." in messages_of(response)


def test_bulk_category_sets_its_axis_and_skips_stale_rows(client, member):
    fresh, stale = SupportRequestFactory.create_batch(2)
    category = CategoryFactory(axis=Axis.YEAR_END, name="Charges à payer")
    selection = [f"{fresh.pk}:{fresh.version}", f"{stale.pk}:{stale.version}"]
    SupportRequest.objects.filter(pk=stale.pk).update(version=stale.version + 1)
    client.force_login(member)
    response = client.post(
        reverse("support:bulk_action"),
        {"action": "category", "selection": selection, "category": category.pk},
    )
    assert (reload(fresh).axis, reload(fresh).category) == (Axis.YEAR_END, category)
    assert reload(stale).category != category
    assert "1 demande modifiée." in messages_of(response)
    assert any(stale.reference in m and "entre-temps" in m for m in messages_of(response))


def test_bulk_correction_needs_a_value(client, member):
    support_request = SupportRequestFactory()
    client.force_login(member)
    response = bulk(client, "category", [support_request], category="")
    assert any("Choisissez la nouvelle catégorie." in m for m in messages_of(response))
    response = bulk(client, "priority", [support_request], priority="bidon")
    assert any("Aucune demande modifiée" in m for m in messages_of(response))
    assert corrections(support_request) == []


def test_the_queue_offers_the_bulk_corrections_with_active_categories_only(client, member):
    CategoryFactory(name="Catégorie en service")
    CategoryFactory(name="Catégorie retirée", is_active=False)
    client.force_login(member)
    page = lxml.html.fromstring(client.get(reverse("support:queue")).content)
    assert page.xpath("//button[@value='priority']/text()") == ["Changer la priorité"]
    assert page.xpath("//button[@value='category']/text()") == ["Changer la catégorie"]
    offered = page.xpath("//select[@id='id_bulk_category']//option/text()")
    assert "Catégorie en service" in offered
    assert "Catégorie retirée" not in offered


def test_a_retired_category_stays_while_the_priority_is_corrected(client, member):
    retired = CategoryFactory(axis=Axis.TOOL, name="Ancienne catégorie", is_active=False)
    support_request = SupportRequestFactory(category=retired)
    client.force_login(member)
    response = post_triage(client, support_request, htmx=True, priority=Priority.HIGH)
    assert "Classement corrigé (1 changement)." in response.content.decode()
    assert (reload(support_request).priority, reload(support_request).category) == (
        Priority.HIGH,
        retired,
    )
