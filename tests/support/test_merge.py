"""Merging request B into request A (`services/merge.py`, the panel's action)."""

from datetime import timedelta

import lxml.html
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from accompagnement.problems.services import problem_answer_post, problem_attach_requests
from accompagnement.support.enums import EventKind, MessageKind, Status
from accompagnement.support.models import Attachment, Event, Message, SupportRequest
from accompagnement.support.services.merge import support_request_merge
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import ConcurrentUpdateError
from tests.accounts.factories import UserFactory
from tests.problems.factories import ProblemFactory
from tests.support.factories import EventFactory, MessageFactory, SupportRequestFactory
from tests.support.test_views_requests import stored_attachment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def reload(support_request) -> SupportRequest:
    return SupportRequest.objects.get(pk=support_request.pk)


@pytest.fixture
def pair(db):
    """A (the target, older) and B (the source), two requests of one DDI about one thing."""
    target = SupportRequestFactory(
        title="Restitution INF-BUD-53 vide", created_at=timezone.now() - timedelta(days=3)
    )
    colleague = UserFactory(ddi=target.ddi)
    source = SupportRequestFactory(
        requester=colleague,
        title="INF-BUD-53 ne renvoie rien",
        body="Depuis lundi, plus rien dans la restitution.",
        created_at=timezone.now() - timedelta(days=1),
        status=Status.IN_PROGRESS,
    )
    return target, source


def test_merge_moves_messages_files_events_and_followers(pair, member):
    target, source = pair
    follower = UserFactory(ddi=target.ddi)
    source.followers.add(follower)
    early = timezone.now() - timedelta(hours=20)
    reply = MessageFactory(request=source, author=member, created_at=early)
    note = MessageFactory(request=source, internal=True)
    own_file = stored_attachment(source)  # filed with B itself
    reply_file = stored_attachment(source, message=reply)
    old_event = EventFactory(request=source, actor=member, created_at=early)
    target_version = target.version

    event = support_request_merge(
        source=source, target=target, user=member, expected_version=source.version
    )

    # Every row of B now lives on A, marked as coming from B, with its own date.
    moved = Message.objects.filter(request=target, merged_from=source)
    assert {reply.pk, note.pk} <= set(moved.values_list("pk", flat=True))
    assert Message.objects.get(pk=reply.pk).created_at == early
    assert Message.objects.get(pk=note.pk).kind == MessageKind.INTERNAL
    assert set(Attachment.objects.filter(request=target).values_list("pk", flat=True)) == {
        own_file.pk,
        reply_file.pk,
    }
    assert Attachment.objects.get(pk=reply_file.pk).merged_from == source
    moved_event = Event.objects.get(pk=old_event.pk)
    assert (moved_event.request, moved_event.merged_from) == (target, source)
    assert moved_event.created_at == early
    # B's description becomes a message of A, at the time B was filed, with B's file.
    description = Message.objects.get(request=target, merged_from=source, author=source.requester)
    assert source.body in description.body
    assert description.created_at == source.created_at
    assert Attachment.objects.get(pk=own_file.pk).message == description
    assert not Message.objects.filter(request=source).exists()
    assert not Attachment.objects.filter(request=source).exists()
    assert {follower, source.requester} <= set(target.followers.all())

    # B is closed as merged, pointing to A; both timelines say it.
    merged = reload(source)
    assert (merged.status, merged.merged_into) == (Status.MERGED, target)
    assert merged.closed_at is not None
    assert (event.request, event.kind, event.new_value) == (
        target,
        EventKind.MERGED,
        source.reference,
    )
    assert Event.objects.filter(
        request=source, kind=EventKind.MERGED, field="merged_into", new_value=target.reference
    ).exists()
    assert Event.objects.filter(
        request=source, kind=EventKind.STATUS, new_value=Status.MERGED
    ).exists()
    # A changed too: a member's stale page of A is told so.
    assert reload(target).version == target_version + 1


def test_both_requesters_are_told_once(pair, member):
    target, source = pair
    support_request_merge(source=source, target=target, user=member)
    notifications = Notification.objects.filter(kind="request_merged")
    assert set(notifications.values_list("recipient", flat=True)) == {
        target.requester.pk,
        source.requester.pk,
    }
    # No status e-mail besides.
    assert not Notification.objects.filter(kind="status_changed").exists()
    for pk in notifications.values_list("pk", flat=True):
        notification_send(notification_id=pk)
    assert len(mail.outbox) == 2
    email = next(m for m in mail.outbox if m.to == [source.requester.email])
    assert source.reference in email.subject and target.reference in email.subject
    assert reverse("support:detail", args=[target.reference]) in email.body


def test_requests_of_two_ddis_are_not_merged(member):
    target, source = SupportRequestFactory(), SupportRequestFactory()
    with pytest.raises(ValidationError) as error:
        support_request_merge(source=source, target=target, user=member)
    assert "même DDI" in error.value.message_dict["target"][0]
    assert "problème" in error.value.message_dict["target"][0]
    assert reload(source).status == Status.NEW


def test_a_finished_source_is_not_merged_but_a_finished_target_may_take_it(pair, member):
    target, source = pair
    SupportRequest.objects.filter(pk=source.pk).update(status=Status.CLOSED)
    with pytest.raises(ValidationError):
        support_request_merge(source=reload(source), target=target, user=member)
    SupportRequest.objects.filter(pk=source.pk).update(status=Status.NEW)
    SupportRequest.objects.filter(pk=target.pk).update(status=Status.RESOLVED)
    support_request_merge(source=reload(source), target=reload(target), user=member)
    assert reload(source).status == Status.MERGED


def test_a_request_is_not_merged_into_itself_nor_into_a_merged_one(pair, member):
    target, source = pair
    with pytest.raises(ValidationError):
        support_request_merge(source=source, target=source, user=member)
    third = SupportRequestFactory(requester=target.requester)
    support_request_merge(source=source, target=target, user=member)
    with pytest.raises(ValidationError) as error:
        support_request_merge(source=third, target=reload(source), user=member)
    assert "elle-même été fusionnée" in error.value.message_dict["target"][0]


def test_an_earlier_merge_keeps_its_origin(pair, member):
    target, source = pair
    third = SupportRequestFactory(requester=target.requester)
    from_third = MessageFactory(request=third)
    support_request_merge(source=third, target=source, user=member)
    support_request_merge(source=reload(source), target=target, user=member)
    moved = Message.objects.get(pk=from_third.pk)
    assert (moved.request, moved.merged_from) == (target, third)


def test_a_stale_version_merges_nothing(pair, member):
    target, source = pair
    message = MessageFactory(request=source)
    with pytest.raises(ConcurrentUpdateError):
        support_request_merge(
            source=source, target=target, user=member, expected_version=source.version + 1
        )
    assert Message.objects.get(pk=message.pk).request == source
    assert reload(source).status == Status.IN_PROGRESS


def test_agents_cannot_merge(pair):
    target, source = pair
    with pytest.raises(PermissionDenied):
        support_request_merge(source=source, target=target, user=source.requester)


def test_no_message_lands_on_a_merged_request(pair, member):
    target, source = pair
    support_request_merge(source=source, target=target, user=member)
    for author in (member, source.requester):
        with pytest.raises(ValidationError) as error:
            support_request_reply(request=reload(source), author=author, body="Encore moi")
        assert target.reference in error.value.messages[0]
    assert not Message.objects.filter(request=source).exists()


# ---------------------------------------------------------------------------- the pages


def merge_url(support_request) -> str:
    return reverse("support:merge", args=[support_request.reference])


def test_merge_url():
    assert merge_url(SupportRequest(reference="ACC-2011-00001")) == (
        "/equipe/demandes/ACC-2011-00001/fusionner/"
    )


def test_the_panel_merges_and_goes_to_the_target(client, pair, member):
    target, source = pair
    client.force_login(member)
    detail = client.get(reverse("support:detail", args=[source.reference]))
    assert lxml.html.fromstring(detail.content).xpath(
        f"//details[@id='panneau-fusionner']//form[@action='{merge_url(source)}']"
    )
    response = client.post(
        merge_url(source), {"version": source.version, "target": target.reference.lower()}
    )
    assert response.status_code == 302
    assert response.url == reverse("support:detail", args=[target.reference])
    assert reload(source).merged_into == target


def test_with_htmx_the_browser_is_sent_to_the_target(client, pair, member):
    target, source = pair
    client.force_login(member)
    response = client.post(
        merge_url(source), {"version": source.version, "target": target.reference}, **HTMX
    )
    assert response["HX-Redirect"] == reverse("support:detail", args=[target.reference])


def test_the_panel_refuses_another_ddis_request_in_french(client, pair, member):
    _target, source = pair
    elsewhere = SupportRequestFactory()
    client.force_login(member)
    response = client.post(
        merge_url(source), {"version": source.version, "target": elsewhere.reference}, **HTMX
    )
    assert response.status_code == 200
    assert "même DDI" in response.content.decode()
    assert reload(source).status == Status.IN_PROGRESS


def test_a_merged_requests_page_leads_to_the_target_with_a_message(client, pair, member):
    target, source = pair
    MessageFactory(request=source, body="Capture jointe de la restitution vide")
    support_request_merge(source=source, target=target, user=member)
    for user in (member, source.requester, target.requester):
        client.force_login(user)
        response = client.get(reverse("support:detail", args=[source.reference]), follow=True)
        assert response.redirect_chain == [
            (reverse("support:detail", args=[target.reference]), 302)
        ]
        html = response.content.decode()
        assert f"La demande {source.reference} a été fusionnée dans celle-ci" in html
        page = lxml.html.fromstring(response.content)
        # The moved items are marked on A's timeline.
        marked = page.xpath(f"//ol[@id='suivi']/li[.//span[text()='venu de {source.reference}']]")
        texts = " ".join(item.text_content() for item in marked)
        assert "Capture jointe de la restitution vide" in texts
        assert source.body in texts
        assert f"Demande {source.reference} fusionnée ici" in page.text_content()


def test_an_agent_of_another_ddi_sees_nothing(client, pair, member):
    target, source = pair
    support_request_merge(source=source, target=target, user=member)
    client.force_login(UserFactory())
    assert client.get(reverse("support:detail", args=[source.reference])).status_code == 404
    assert client.post(merge_url(target), {"version": 1, "target": "x"}).status_code == 403


def test_duplicate_still_works_beside_merge(client, pair, member):
    target, source = pair
    client.force_login(member)
    response = client.post(
        reverse("support:duplicate", args=[source.reference]),
        {"version": source.version, "original": target.reference},
    )
    assert response.status_code == 302
    assert (reload(source).status, reload(source).duplicate_of) == (Status.CLOSED, target)


def test_the_problem_goes_with_the_content_and_its_answers_reach_the_target(pair, member):
    target, source = pair
    problem = ProblemFactory()
    problem_attach_requests(problem=problem, user=member, requests=[source])

    support_request_merge(source=reload(source), target=target, user=member)

    assert reload(target).problem == problem
    assert reload(source).problem is None
    # Answering the problem copies nothing to the merged request, and fails on nothing.
    answer, delivered = problem_answer_post(problem=problem, author=member, body="Correctif jeudi.")
    assert delivered == 1
    assert Message.objects.filter(request=target, body__contains="Correctif jeudi.").exists()
    assert not Message.objects.filter(request=source).exists()
