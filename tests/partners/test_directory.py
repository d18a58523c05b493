"""The partner directory's pages: the team reads, the pilot edits, agents never see it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.partners.enums import AnswerChannel, PartnerKind
from accompagnement.partners.models import Partner, PartnerContact
from accompagnement.partners.wording import commitment_text
from tests.ddi.factories import DepartmentFactory, ProgrammeFactory, RegionFactory
from tests.partners.factories import EscalationFactory, PartnerFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

LIST = reverse("partners:list")
CREATE = reverse("partners:create")


def _detail(partner):
    return reverse("partners:detail", args=[partner.code])


def _update(partner):
    return reverse("partners:update", args=[partner.code])


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (9, "1 jour ouvré"),
        (18, "2 jours ouvrés"),
        (4, "4 heures ouvrées"),
        (1, "1 heure ouvrée"),
        (13, "1 jour ouvré et 4 heures"),
        (45, "5 jours ouvrés"),
    ],
)
def test_a_commitment_is_said_in_working_days(hours, text):
    assert commitment_text(hours) == text


# ---------------------------------------------------------------------------- the list


def test_the_list_groups_partners_by_kind_with_scope_mailbox_and_commitment(client, member):
    region = RegionFactory(name="Bretagne")
    programme = ProgrammeFactory(code="206")
    csp = PartnerFactory(name="CPCM Bretagne", kind=PartnerKind.CSP, response_hours=9)
    csp.regions.set([region])
    csp.programmes.set([programme])
    PartnerFactory(
        name="Équipe Chorus du MAAPRAT", mailbox="chorus-maaprat@example.org", response_hours=18
    )
    client.force_login(member)

    response = client.get(LIST)

    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g.kind for g in groups] == [PartnerKind.MINISTRY, PartnerKind.CSP]
    html = response.content.decode()
    assert html.index("Équipe Chorus du MAAPRAT") < html.index("CPCM Bretagne")
    assert "chorus-maaprat@example.org" in html
    assert "2 jours ouvrés" in html and "1 jour ouvré" in html
    row = next(r for r in groups[1].rows if r.partner == csp)
    assert row.summary.programmes == "P206"
    assert row.summary.territory == "Bretagne"
    team_row = groups[0].rows[0]
    assert team_row.summary.territory == "national"
    assert team_row.summary.programmes == "tous programmes"


def test_the_open_escalations_are_counted_per_partner(client, member):
    partner = PartnerFactory()
    EscalationFactory(partner=partner)
    EscalationFactory(partner=partner)
    EscalationFactory(partner=partner, answered_at=timezone.now())
    EscalationFactory(partner=partner, withdrawn_at=timezone.now())
    quiet = PartnerFactory()
    client.force_login(member)

    rows = client.get(LIST).context["groups"][0].rows

    counts = {row.partner.pk: row.partner.open_escalation_count for row in rows}
    assert counts == {partner.pk: 2, quiet.pk: 0}


def test_filters_by_nature_region_programme_and_name_keep_the_national_partners(client, member):
    bretagne, alsace = RegionFactory(name="Bretagne"), RegionFactory(name="Alsace")
    p206, p177 = ProgrammeFactory(code="206"), ProgrammeFactory(code="177")
    cpcm = PartnerFactory(name="CPCM Bretagne", kind=PartnerKind.CSP)
    cpcm.regions.set([bretagne])
    cpcm.programmes.set([p206])
    other = PartnerFactory(name="CSP sociaux Alsace", kind=PartnerKind.CSP)
    other.regions.set([alsace])
    other.programmes.set([p177])
    aife = PartnerFactory(name="AIFE", kind=PartnerKind.AIFE)
    client.force_login(member)

    def names(query):
        groups = client.get(LIST, query).context["groups"]
        return sorted(row.partner.name for group in groups for row in group.rows)

    assert names({"region": bretagne.pk}) == ["AIFE", "CPCM Bretagne"]
    assert names({"programme": p177.pk}) == ["AIFE", "CSP sociaux Alsace"]
    assert names({"nature": "csp", "region": bretagne.pk}) == ["CPCM Bretagne"]
    assert names({"q": "cpcm"}) == ["CPCM Bretagne"]
    # A tampered filter is ignored: the list still shows.
    assert names({"region": "x", "nature": "inconnue"}) == sorted(
        [cpcm.name, other.name, aife.name]
    )


def test_the_list_query_count_does_not_grow_with_the_partners(
    client, member, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            partner = PartnerFactory(kind=PartnerKind.CSP)
            partner.regions.set([RegionFactory()])
            partner.programmes.set([ProgrammeFactory()])
            partner.departments.set([DepartmentFactory()])
            EscalationFactory(partner=partner)

    add(2)
    client.force_login(member)
    client.get(LIST)  # warm the session
    with django_assert_num_queries(10) as few:
        client.get(LIST, {"region": RegionFactory().pk})
    add(20)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST, {"region": RegionFactory().pk})
    assert response.status_code == 200


def test_agents_never_see_the_directory(client, agent):
    partner = PartnerFactory()
    client.force_login(agent)

    assert client.get(LIST).status_code == 403
    assert client.get(_detail(partner)).status_code == 403


def test_the_team_finds_the_directory_in_its_menu(client, member, agent):
    client.force_login(member)
    labels = [item["label"] for item in client.get(reverse("home")).context["navigation"]]
    assert "Partenaires" in labels
    client.force_login(agent)
    labels = [item["label"] for item in client.get(reverse("home")).context["navigation"]]
    assert "Partenaires" not in labels


# ---------------------------------------------------------------------------- one partner


def test_the_page_shows_contacts_commitment_source_and_escalations(client, member):
    partner = PartnerFactory(
        name="Équipe Chorus des ministères sociaux",
        response_hours=18,
        reminder_max=2,
        notes="Joindre la capture d'écran de l'erreur.",
        source="déduit des programmes du ministère",
        confidence="inferred",
    )
    PartnerContact.objects.create(
        partner=partner, name="Nathalie Perrin", role="Responsable", email="n.p@example.org"
    )
    now = timezone.now()
    late = EscalationFactory(
        partner=partner,
        request=SupportRequestFactory(title="DP bloquée"),
        sent_at=now - datetime.timedelta(days=5),
        expected_at=now - datetime.timedelta(days=1),
    )
    answered = [
        EscalationFactory(
            partner=partner,
            answered_at=now - datetime.timedelta(hours=n),
            answered_via=AnswerChannel.EMAIL,
        )
        for n in range(12)
    ]
    client.force_login(member)

    response = client.get(_detail(partner))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nathalie Perrin" in html and "Responsable" in html
    assert "Répond en 2 jours ouvrés (18 h ouvrées) ; au plus 2 relances par escalade." in html
    assert "Joindre la capture d" in html
    assert "Déduit, à confirmer" in html
    assert reverse("support:detail", args=[late.request.reference]) in html
    assert "en retard" in html
    assert response.context["open_escalations"] == [late]
    assert response.context["answered_escalations"] == answered[:10]


def test_an_unknown_partner_is_a_404(client, member):
    client.force_login(member)
    assert client.get(reverse("partners:detail", args=["inconnu"])).status_code == 404


# ---------------------------------------------------------------------------- the pilot's form


def _form_data(**overrides):
    data = {
        "name": "Cerema, appui Chorus",
        "kind": PartnerKind.OTHER,
        "active": "on",
        "chorus_objects": ["ej", "dp"],
        "mailbox": "chorus@cerema.example.org",
        "phone": "",
        "website": "",
        "response_hours": "27",
        "reminder_max": "2",
        "notes": "",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "20",
        "contacts-0-name": "Lucie Bernard",
        "contacts-0-role": "Cheffe de projet",
        "contacts-0-email": "Lucie.Bernard@example.org",
        "contacts-1-name": "",
    }
    data.update(overrides)
    return data


def test_the_pilot_creates_a_partner_with_its_contacts(client, pilot):
    region = RegionFactory(name="Bretagne")
    client.force_login(pilot)

    response = client.post(CREATE, _form_data(regions=[region.pk]))

    partner = Partner.objects.get(name="Cerema, appui Chorus")
    assert response.status_code == 302
    assert response.url == _detail(partner)
    assert partner.code == "cerema-appui-chorus"
    assert partner.chorus_objects == ["ej", "dp"]
    assert partner.response_hours == 27
    assert list(partner.regions.all()) == [region]
    assert [(c.name, c.role, c.email) for c in partner.contacts.all()] == [
        ("Lucie Bernard", "Cheffe de projet", "lucie.bernard@example.org")
    ]
    assert "saisi dans le portail" in partner.source


def test_a_bad_form_comes_back_with_french_errors_and_creates_nothing(client, pilot):
    client.force_login(pilot)

    response = client.post(
        CREATE,
        _form_data(
            name="",
            response_hours="0",
            **{"contacts-1-email": "sans-nom@example.org"},
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html
    assert "Indiquez le nom de ce contact, ou videz la ligne." in html
    assert not Partner.objects.exists()


def test_departments_outside_the_regions_are_refused(client, pilot):
    bretagne = RegionFactory(name="Bretagne")
    paris = DepartmentFactory(code="75", region=RegionFactory(name="Île-de-France"))
    client.force_login(pilot)

    response = client.post(CREATE, _form_data(regions=[bretagne.pk], departments=[paris.pk]))

    assert response.status_code == 400
    assert "ne sont dans aucune des régions choisies : 75" in response.content.decode()
    assert not Partner.objects.exists()


def test_the_pilot_updates_a_partner_and_removes_a_contact(client, pilot):
    partner = PartnerFactory(name="AIFE", kind=PartnerKind.AIFE, response_hours=9)
    gone = PartnerContact.objects.create(partner=partner, name="Ancien contact", position=1)
    kept = PartnerContact.objects.create(partner=partner, name="Marc Delorme", position=2)
    client.force_login(pilot)
    page = client.get(_update(partner))
    assert page.status_code == 200
    assert "Ancien contact" in page.content.decode()

    response = client.post(
        _update(partner),
        _form_data(
            name="AIFE",
            kind=PartnerKind.AIFE,
            response_hours="18",
            **{
                "contacts-TOTAL_FORMS": "3",
                "contacts-INITIAL_FORMS": "2",
                "contacts-0-id": str(gone.pk),
                "contacts-0-name": gone.name,
                "contacts-0-DELETE": "on",
                "contacts-1-id": str(kept.pk),
                "contacts-1-name": "Marc Delorme",
                "contacts-1-role": "Référent restitutions",
                "contacts-2-name": "Sophie Lambert",
            },
        ),
    )

    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.response_hours == 18
    assert [(c.name, c.role) for c in partner.contacts.all()] == [
        ("Marc Delorme", "Référent restitutions"),
        ("Sophie Lambert", ""),
    ]


def test_a_saved_contact_left_without_a_name_is_refused(client, pilot):
    partner = PartnerFactory()
    contact = PartnerContact.objects.create(partner=partner, name="Claire Vasseur")
    client.force_login(pilot)

    response = client.post(
        _update(partner),
        _form_data(
            **{"contacts-INITIAL_FORMS": "1", "contacts-0-id": str(contact.pk)}
            | {"contacts-0-name": "", "contacts-0-role": "", "contacts-0-email": ""}
        ),
    )

    assert response.status_code == 400
    assert "ou cochez « Supprimer »" in response.content.decode()
    assert PartnerContact.objects.filter(pk=contact.pk, name="Claire Vasseur").exists()


def test_a_contact_of_another_partner_cannot_be_touched(client, pilot):
    partner, other = PartnerFactory(), PartnerFactory()
    foreign = PartnerContact.objects.create(partner=other, name="Quelqu'un d'autre")
    client.force_login(pilot)

    response = client.post(
        _update(partner),
        _form_data(**{"contacts-0-id": str(foreign.pk), "contacts-0-name": "Changé"}),
    )

    assert response.status_code == 400
    assert "rechargez la page" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.name == "Quelqu'un d'autre"


def test_members_read_but_never_edit(client, member):
    partner = PartnerFactory(name="Équipe Chorus du MEDDTL")
    client.force_login(member)

    assert "Modifier" not in client.get(_detail(partner)).content.decode()
    assert client.get(_update(partner)).status_code == 403
    assert client.post(_update(partner), _form_data()).status_code == 403
    assert client.post(CREATE, _form_data()).status_code == 403
    partner.refresh_from_db()
    assert partner.name == "Équipe Chorus du MEDDTL"
    assert Partner.objects.count() == 1
