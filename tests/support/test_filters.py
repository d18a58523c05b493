"""The queue filters the dashboards link to: filing and resolution dates (local days),
open on a given day, escalation target, reopened requests, the assignee's structure."""

from datetime import UTC, datetime

import pytest

from accompagnement.support.enums import EscalationTarget, Status
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = "/equipe/file/"


@pytest.fixture
def member_client(client):
    client.force_login(TeamMemberFactory().user)
    return client


def refs(client, **params) -> set[str]:
    response = client.get(QUEUE_URL, {"status": "all", **params})
    assert response.status_code == 200
    return {support_request.reference for support_request in response.context["page"]}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_filing_dates_are_local_days(member_client):
    # 30 Nov 23:30 UTC is 1 December 00:30 in Paris.
    late_november = SupportRequestFactory(created_at=at(2026, 11, 30, 22, 30))
    first_december = SupportRequestFactory(created_at=at(2026, 11, 30, 23, 30))
    assert refs(member_client, created_from="2026-12-01") == {first_december.reference}
    assert refs(member_client, created_to="2026-11-30") == {late_november.reference}
    assert refs(member_client, created_from="2026-11-30", created_to="2026-12-01") == {
        late_november.reference,
        first_december.reference,
    }


def test_resolution_dates(member_client):
    resolved = SupportRequestFactory(
        created_at=at(2026, 11, 2, 9), status=Status.RESOLVED, resolved_at=at(2026, 11, 10, 9)
    )
    SupportRequestFactory(created_at=at(2026, 11, 2, 9))
    assert refs(member_client, resolved_from="2026-11-10", resolved_to="2026-11-10") == {
        resolved.reference
    }
    assert refs(member_client, resolved_from="2026-11-11") == set()


def test_open_on_a_day(member_client):
    filed = at(2026, 11, 2, 9)
    still_open = SupportRequestFactory(created_at=filed)
    resolved_later = SupportRequestFactory(
        created_at=filed, status=Status.RESOLVED, resolved_at=at(2026, 11, 20, 9)
    )
    resolved_before = SupportRequestFactory(
        created_at=filed, status=Status.RESOLVED, resolved_at=at(2026, 11, 5, 9)
    )
    closed_before = SupportRequestFactory(
        created_at=filed, status=Status.REDIRECTED, closed_at=at(2026, 11, 6, 9)
    )
    SupportRequestFactory(created_at=at(2026, 11, 12, 9))  # filed afterwards
    assert refs(member_client, open_on="2026-11-10") == {
        still_open.reference,
        resolved_later.reference,
    }
    assert resolved_before.reference in refs(member_client, open_on="2026-11-04")
    assert closed_before.reference in refs(member_client, open_on="2026-11-05")


def test_escalation_target_reopened_and_structure(member_client):
    to_aife = SupportRequestFactory(
        status=Status.ESCALATED, escalation_target=EscalationTarget.AIFE
    )
    SupportRequestFactory(status=Status.ESCALATED, escalation_target=EscalationTarget.BUDGET)
    reopened = SupportRequestFactory(reopened_count=2)
    profile = TeamMemberFactory()
    handled = SupportRequestFactory(assignee=profile.user, status=Status.IN_PROGRESS)
    SupportRequestFactory(assignee=UserFactory(member=True), status=Status.IN_PROGRESS)
    assert refs(member_client, escalation_target="aife") == {to_aife.reference}
    assert refs(member_client, reopened="on") == {reopened.reference}
    assert refs(member_client, structure=profile.structure_id) == {handled.reference}


def test_a_bad_date_is_explained_and_ignored(member_client):
    SupportRequestFactory()
    response = member_client.get(QUEUE_URL, {"status": "all", "created_from": "31/02/2026"})
    assert response.status_code == 200
    assert "Saisissez une date valide." in response.content.decode()
