"""The dashboards' "since the start" period begins when the team exists: 1 September 2011
(the SGG note that announced it is dated 9 September)."""

from datetime import UTC, date, datetime

import pytest

from accompagnement.steering.dashboards.scope import TEAM_CREATED, Period, period_bounds
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import DDIFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


def test_since_the_start_begins_on_1_september_2011():
    today = date(2012, 3, 15)
    assert date(2011, 9, 1) == TEAM_CREATED
    assert period_bounds(Period.ALL, today) == (date(2011, 9, 1), today)


def test_a_request_of_the_first_week_counts_since_the_start(client):
    client.force_login(TeamMemberFactory(user=UserFactory(pilot=True)).user)
    requester = UserFactory(ddi=DDIFactory())
    SupportRequestFactory(requester=requester, created_at=datetime(2011, 9, 5, 10, tzinfo=UTC))
    SupportRequestFactory(requester=requester, created_at=datetime(2011, 8, 31, 10, tzinfo=UTC))

    response = client.get("/pilotage/", {"period": "debut"})

    assert response.context["scope"].start == date(2011, 9, 1)
    figures = {figure["label"]: figure["text"] for figure in response.context["figures"]}
    assert figures["demandes déposées sur la période"] == "1"
