"""The pilot's view of the partners' response times (`/pilotage/partenaires/`): figures
in working hours computed by hand across a weekend, the period, the drill-down to the
queue, the exports and a fixed number of queries.

December 2011: Monday 5 to Friday 9 and Monday 12 to Thursday 15 are working days, 9:00 to
18:00 (no public holiday). "Now" is Thursday 15 December 2011 at noon.
"""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from accompagnement.partners.selectors.stats import StatsPeriod, partner_stats, percentile
from accompagnement.support.enums import Status
from accompagnement.support.sla import add_working_time
from tests.partners.factories import EscalationFactory, PartnerFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2011, 12, 15, 12, 0, tzinfo=PARIS)


def at(month, day, hour):
    return datetime(2011 if month else 2010, month or 12, day, hour, tzinfo=PARIS)


def escalation(partner, sent_at, answered_at=None, *, request=None, **fields):
    return EscalationFactory(
        partner=partner,
        request=request
        or SupportRequestFactory(
            status=Status.IN_PROGRESS if answered_at else Status.ESCALATED, created_at=sent_at
        ),
        sent_at=sent_at,
        expected_at=add_working_time(sent_at, partner.response_hours * 3600),
        answered_at=answered_at,
        **fields,
    )


@pytest.fixture
def partners():
    maaprat = PartnerFactory(code="equipe-chorus-maaprat", name="Équipe Chorus du MAAPRAT")
    aife = PartnerFactory(code="aife", name="AIFE")
    idle = PartnerFactory(code="drfip-bretagne", name="DRFiP de Bretagne")
    csp = PartnerFactory(code="csp-nord", name="CSP du Nord")
    # MAAPRAT, 18 working hours promised:
    # Monday 10:00 → Monday 13:00: 3 h.
    escalation(maaprat, at(12, 5, 10), at(12, 5, 13))
    # Friday 16:00 → Monday 12:00: 2 h + 3 h = 5 h (68 hours on the wall clock).
    escalation(maaprat, at(12, 9, 16), at(12, 12, 12))
    # Thursday 9:00 → Friday 18:00: 18 h, the very moment promised: on time.
    escalation(maaprat, at(12, 8, 9), at(12, 9, 18))
    # Wednesday 9:00 → Monday 10:00: 9 + 9 + 9 + 1 = 28 h, late (promised Thursday 18:00).
    escalation(maaprat, at(12, 7, 9), at(12, 12, 10))
    # Tuesday 13 at 9:00, promised Wednesday 18:00, no answer: open and overdue now.
    overdue = escalation(maaprat, at(12, 13, 9))
    # AIFE: Monday 7 November, 9:00 → 18:00: 9 h.
    escalation(aife, at(11, 7, 9), at(11, 7, 18))
    # CSP du Nord: sent in 2010 (before the period), still open and overdue.
    old = escalation(csp, at(0, 1, 10))
    return {
        "maaprat": maaprat,
        "aife": aife,
        "idle": idle,
        "csp": csp,
        "overdue": overdue,
        "old": old,
    }


@pytest.fixture
def pilot_client(client, pilot):
    client.force_login(pilot)
    return client


def stats(period=None):
    return partner_stats(period=period or StatsPeriod.default(NOW.date()), now=NOW)


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([28, 3, 18, 5], 0.5) == 11.5
    assert percentile([3, 5, 18, 28], 0.9) == pytest.approx(25.0)
    assert percentile([7], 0.9) == 7


def test_the_default_period_is_the_last_twelve_months():
    period = StatsPeriod.default(date(2011, 12, 15))
    assert (period.start, period.end) == (date(2011, 1, 1), date(2011, 12, 15))
    assert len(period.months()) == 12


def test_response_times_count_working_hours_across_a_weekend(partners):
    result = stats()
    by_code = {row.partner.code: row for row in result.rows}

    maaprat = by_code["equipe-chorus-maaprat"]
    assert sorted(maaprat.hours) == [3, 5, 18, 28]
    assert (maaprat.sent, maaprat.answered) == (5, 4)
    assert (maaprat.open_now, maaprat.overdue_now) == (1, 1)
    assert maaprat.median_hours == 11.5
    assert maaprat.p90_hours == pytest.approx(25.0)
    assert maaprat.late_share == 0.25
    december = maaprat.months[-1]
    assert (december.month, december.sent, december.median_hours) == (date(2011, 12, 1), 5, 11.5)
    assert december.bar == 100
    assert all(month.sent == 0 for month in maaprat.months[:-1])

    aife = by_code["aife"]
    assert (aife.sent, aife.answered, aife.median_hours, aife.p90_hours) == (1, 1, 9, 9)
    assert (aife.open_now, aife.late_share) == (0, 0)
    assert aife.months[-2].sent == 1 and aife.months[-2].bar == 20

    # Sent before the period, still waiting: shown for what is open now.
    csp = by_code["csp-nord"]
    assert (csp.sent, csp.open_now, csp.overdue_now, csp.median_hours) == (0, 1, 1, None)

    assert [partner.code for partner in result.idle] == ["drfip-bretagne"]
    total = result.total
    assert (total.sent, total.open_now, total.overdue_now, total.answered) == (6, 2, 2, 5)
    assert total.median_hours == 9
    assert total.p90_hours == pytest.approx(24.0)  # 18 + 0.6 × (28 − 18)


def test_rows_put_the_overdue_first_then_the_busiest(partners):
    assert [row.partner.code for row in stats().rows] == [
        "equipe-chorus-maaprat",
        "csp-nord",
        "aife",
    ]


def test_a_withdrawn_escalation_is_neither_open_nor_answered(partners):
    withdrawn = escalation(partners["aife"], at(12, 14, 9), withdrawn_at=at(12, 14, 10))
    aife = {row.partner.code: row for row in stats().rows}["aife"]
    assert (aife.sent, aife.answered, aife.open_now) == (2, 1, 0)
    assert withdrawn.answered_at is None


# ---------------------------------------------------------------------------- the page


@time_machine.travel(NOW, tick=False)
def test_the_pilot_sees_each_partner_with_links_to_the_queue(partners, pilot_client):
    response = pilot_client.get("/pilotage/partenaires/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Équipe Chorus du MAAPRAT" in body
    assert "11,5" in body and "25,0" in body and "25 %" in body
    queue = "/equipe/file/?partner=equipe-chorus-maaprat"
    sent_in_period = "&amp;escalated_from=2011-01-01&amp;escalated_to=2011-12-15"
    assert f"{queue}{sent_in_period}&amp;status=all" in body
    assert f"{queue}&amp;escalation_open=1&amp;status=all" in body
    assert f"{queue}&amp;escalation_overdue=1&amp;status=all" in body
    assert "1 autre partenaire sans escalade" in body
    assert "Décembre 2011" in body  # the trend
    assert "/pilotage/export/partenaires.csv?start=2011-01-01&amp;end=2011-12-15" in body


@time_machine.travel(NOW, tick=False)
def test_the_period_is_chosen_in_the_url(partners, pilot_client):
    response = pilot_client.get(
        "/pilotage/partenaires/", {"start": "2011-11-01", "end": "2011-11-30"}
    )
    rows = {row.partner.code: row for row in response.context["stats"].rows}
    assert rows["aife"].sent == 1
    # Nothing sent in November, but one waiting now.
    assert (rows["equipe-chorus-maaprat"].sent, rows["equipe-chorus-maaprat"].open_now) == (0, 1)
    assert "Escalades envoyées du 01/11/2011 au 30/11/2011" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_wrong_period_says_so_and_shows_the_default_one(partners, pilot_client):
    response = pilot_client.get(
        "/pilotage/partenaires/", {"start": "2011-12-01", "end": "2011-11-01"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "La période demandée n’est pas valable" in body
    assert "Le dernier jour doit suivre le premier." in body
    assert response.context["stats"].period == StatsPeriod.default(NOW.date())


def test_a_member_is_refused(partners, client, member):
    client.force_login(member)
    assert client.get("/pilotage/partenaires/").status_code == 403
    assert client.get("/pilotage/export/partenaires.csv").status_code == 403


def test_an_unknown_export_format_is_not_found(pilot_client):
    assert pilot_client.get("/pilotage/export/partenaires.pdf").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_query_count_does_not_grow_with_the_escalations(
    partners, pilot_client, django_assert_num_queries
):
    pilot_client.get("/pilotage/partenaires/")
    # Session and user, the partners, the escalations of the period, the open ones.
    with django_assert_num_queries(5):
        pilot_client.get("/pilotage/partenaires/")
    for day in (5, 6, 7, 8, 9):
        for partner in (partners["maaprat"], partners["aife"], PartnerFactory()):
            escalation(partner, at(12, day, 10), at(12, day, 15))
            escalation(partner, at(12, day, 11))
    with django_assert_num_queries(5):
        pilot_client.get("/pilotage/partenaires/")


# ---------------------------------------------------------------------------- drill-down


def queue_references(client, **params) -> set[str]:
    response = client.get("/equipe/file/", params)
    assert response.status_code == 200
    return {request.reference for request in response.context["page"]}


@time_machine.travel(NOW, tick=False)
def test_the_queue_shows_the_requests_of_a_partner(partners, pilot_client):
    maaprat = partners["maaprat"]
    everything = {e.request.reference for e in maaprat.escalations.all()}
    assert len(everything) == 5
    assert queue_references(pilot_client, partner=maaprat.code, status="all") == everything
    overdue = {partners["overdue"].request.reference}
    assert (
        queue_references(pilot_client, partner=maaprat.code, escalation_open="1", status="all")
        == overdue
    )
    assert (
        queue_references(pilot_client, partner=maaprat.code, escalation_overdue="1", status="all")
        == overdue
    )
    both = {partners["overdue"].request.reference, partners["old"].request.reference}
    assert queue_references(pilot_client, escalation_overdue="1", status="all") == both


@time_machine.travel(NOW, tick=False)
def test_the_queue_finds_the_escalations_sent_between_two_days(partners, pilot_client):
    maaprat = partners["maaprat"]
    sent_8_or_9 = {
        e.request.reference
        for e in maaprat.escalations.all()
        if timezone.localdate(e.sent_at) in (date(2011, 12, 8), date(2011, 12, 9))
    }
    assert len(sent_8_or_9) == 2
    found = queue_references(
        pilot_client,
        partner=maaprat.code,
        escalated_from="2011-12-08",
        escalated_to="2011-12-09",
        status="all",
    )
    assert found == sent_8_or_9
    # Without a partner: every partner's, sent in the days given.
    old = partners["old"].request.reference
    before = queue_references(pilot_client, escalated_to="2011-11-30", status="all")
    assert old in before and not before & sent_8_or_9


@time_machine.travel(NOW, tick=False)
def test_an_open_escalation_elsewhere_does_not_count_for_the_partner(partners, pilot_client):
    # Answered by the MAAPRAT, then escalated to the AIFE: open, but not with the MAAPRAT.
    answered = partners["maaprat"].escalations.filter(answered_at__isnull=False).first()
    escalation(partners["aife"], at(12, 14, 9), request=answered.request)
    found = queue_references(
        pilot_client, partner="equipe-chorus-maaprat", escalation_open="1", status="all"
    )
    assert answered.request.reference not in found
    assert answered.request.reference in queue_references(
        pilot_client, partner="aife", escalation_open="1", status="all"
    )


@time_machine.travel(NOW, tick=False)
def test_the_queue_shows_the_partner_filter_as_active(partners, pilot_client):
    response = pilot_client.get(
        "/equipe/file/", {"partner": "equipe-chorus-maaprat", "escalation_overdue": "1"}
    )
    body = response.content.decode()
    assert 'name="partner" value="equipe-chorus-maaprat"' in body
    assert 'name="escalation_overdue"' in body
    form = response.context["queue_filter"].form
    assert form.cleaned_data["partner"] == "equipe-chorus-maaprat"
    assert form.cleaned_data["escalation_overdue"] is True


# ---------------------------------------------------------------------------- exports


@time_machine.travel(NOW, tick=False)
def test_the_csv_export_has_the_same_figures_in_french(partners, pilot_client):
    response = pilot_client.get("/pilotage/export/partenaires.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="partenaires-20110101-20111215.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Partenaire"
    assert rows[0][-1] == "Réponses hors délai (%)"
    assert rows[1] == [
        "Équipe Chorus du MAAPRAT",
        "equipe-chorus-maaprat",
        "Équipe Chorus d'un ministère",
        "18",
        "5",
        "1",
        "1",
        "4",
        "11,5",
        "25,0",
        "25,0",
    ]
    assert [row[0] for row in rows[1:]] == [
        "Équipe Chorus du MAAPRAT",
        "CSP du Nord",
        "AIFE",
        "DRFiP de Bretagne",
        "Tous les partenaires",
    ]
    assert rows[-1][4:] == ["6", "2", "2", "5", "9,0", "24,0", "20,0"]


@time_machine.travel(NOW, tick=False)
def test_the_xlsx_export_keeps_true_numbers(partners, pilot_client):
    response = pilot_client.get("/pilotage/export/partenaires.xlsx", {"start": "2011-12-01"})
    assert response["Content-Disposition"].endswith('partenaires-20111201-20111215.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Partenaire"
    maaprat = values[1]
    assert maaprat[:2] == ("Équipe Chorus du MAAPRAT", "equipe-chorus-maaprat")
    assert maaprat[4:] == (5, 1, 1, 4, 11.5, pytest.approx(25.0), 0.25)
    assert sheet.cell(row=2, column=11).number_format == "0.0 %"
