"""The team's absences (`/equipe/absences/`): a member records their own, the pilot
anyone's; the French messages of what is refused; the absent shown in the assign list."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accompagnement.accounts.models import Absence
from accompagnement.accounts.services import absence_create, absence_delete
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

URL = "/equipe/absences/"


def day(offset: int):
    return timezone.localdate() + timedelta(days=offset)


def iso(offset: int) -> str:
    return day(offset).isoformat()


@pytest.fixture
def profile(member):
    return member.team_profile


@pytest.fixture
def colleague():
    return TeamMemberFactory(user=UserFactory(member=True, first_name="Nadia", last_name="Benali"))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# ---------------------------------------------------------------------------- the service


def test_a_member_records_their_own_absence_only(member, profile, colleague):
    absence = absence_create(member=profile, start=day(1), end=day(3), reason=" congés ", by=member)
    assert (absence.start, absence.end, absence.reason) == (day(1), day(3), "congés")
    with pytest.raises(PermissionDenied):
        absence_create(member=colleague, start=day(1), end=day(3), by=member)
    with pytest.raises(PermissionDenied):
        absence_delete(
            absence=Absence.objects.create(member=colleague, start=day(1), end=day(1)), by=member
        )


def test_the_pilot_records_and_removes_anyones(pilot, colleague):
    absence = absence_create(member=colleague, start=day(0), end=day(0), by=pilot)
    absence_delete(absence=absence, by=pilot)
    assert not Absence.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (3, 1, "end", "La fin de l’absence précède son début."),
        (-60, -31, "end", "terminée depuis plus de 30 jours"),
        (1, 400, "end", "au plus un an"),
        (800, 801, "start", "au plus deux ans à l’avance"),
    ],
)
def test_refused_periods_say_why(member, profile, start, end, field, message):
    with pytest.raises(ValidationError) as error:
        absence_create(member=profile, start=day(start), end=day(end), by=member)
    assert message in " ".join(error.value.message_dict[field])
    assert not Absence.objects.exists()


def test_a_recent_past_absence_is_accepted(member, profile):
    absence_create(member=profile, start=day(-20), end=day(-2), by=member)
    assert Absence.objects.count() == 1


def test_overlapping_absences_are_refused(member, profile, colleague, pilot):
    absence_create(member=profile, start=day(5), end=day(10), by=member)
    with pytest.raises(ValidationError) as error:
        absence_create(member=profile, start=day(10), end=day(12), by=member)
    assert "chevauche" in error.value.message_dict["start"][0]
    # Back to back is fine, and so is someone else on the same days.
    absence_create(member=profile, start=day(11), end=day(12), by=member)
    absence_create(member=colleague, start=day(5), end=day(10), by=pilot)
    assert Absence.objects.count() == 3


# ---------------------------------------------------------------------------- the page


def test_the_page_lists_current_and_coming_absences_of_the_team(client, member, colleague):
    Absence.objects.create(member=colleague, start=day(-3), end=day(2), reason="Formation")
    Absence.objects.create(member=colleague, start=day(-30), end=day(-20), reason="Passée")
    client.force_login(member)

    html = client.get(URL).content.decode()

    assert "Nadia Benali" in html and "Formation" in html and "en cours" in html
    assert "Passée" not in html
    # Someone else's absence: no button to remove it.
    assert "Supprimer l’absence de Nadia Benali" not in html


def test_a_member_adds_their_own_absence_from_the_page(client, member, profile):
    client.force_login(member)
    page = client.get(URL).content.decode()
    assert 'type="hidden" name="member"' in page

    response = client.post(
        URL, {"member": profile.pk, "start": iso(1), "end": iso(2), "reason": "Congés"}
    )

    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.member, absence.start, absence.end) == (profile, day(1), day(2))
    assert messages_of(response)[0].startswith(f"Absence de {member.get_full_name()} enregistrée")


def test_a_member_cannot_post_an_absence_for_someone_else(client, member, profile, colleague):
    client.force_login(member)
    response = client.post(URL, {"member": colleague.pk, "start": iso(1), "end": iso(2)})
    assert response.status_code == 400
    assert not Absence.objects.exists()


def test_the_pilot_chooses_the_member(client, pilot, colleague):
    client.force_login(pilot)
    page = client.get(URL).content.decode()
    assert '<select name="member"' in page and "Nadia Benali" in page

    response = client.post(URL, {"member": colleague.pk, "start": iso(0), "end": iso(0)})

    assert response.status_code == 302
    assert Absence.objects.get().member == colleague


def test_the_page_shows_why_an_absence_is_refused(client, member, profile):
    client.force_login(member)
    response = client.post(URL, {"member": profile.pk, "start": iso(4), "end": iso(2)})
    assert response.status_code == 400
    assert "La fin de l’absence précède son début." in response.content.decode()
    assert not Absence.objects.exists()


def test_a_member_removes_their_own_absence(client, member, profile):
    absence = Absence.objects.create(member=profile, start=day(1), end=day(2))
    client.force_login(member)
    assert f"Supprimer l’absence de {member.get_full_name()}" in client.get(URL).content.decode()

    response = client.post(reverse("accounts:absence_delete", args=[absence.pk]))

    assert response.status_code == 302
    assert not Absence.objects.exists()


def test_the_assign_list_says_who_is_away_and_until_when(client, member, colleague):
    Absence.objects.create(member=colleague, start=day(-1), end=day(3))
    Absence.objects.create(member=member.team_profile, start=day(2), end=day(4))  # not yet
    client.force_login(member)

    page = client.get(reverse("support:detail", args=[SupportRequestFactory().reference]))

    html = page.content.decode()
    assert (
        f"Nadia Benali ({colleague.structure.name}) — absent jusqu’au {date_format(day(3), 'j F')}"
        in html
    )
    assert html.count("absent jusqu’au") == 1
