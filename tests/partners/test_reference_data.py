"""The partner directory seeded by `load_reference_data`: idempotent, all or nothing, the
files owning the facts and the pilot owning contacts, mailbox and commitment."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.loaders import DATA_DIR
from accompagnement.partners.models import Partner, PartnerContact
from ddi.enums import Confidence
from ddi.models import Region, ServiceCentre
from tests.ddi.data_files import rewrite_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_dir(tmp_path) -> Path:
    """A copy of `accompagnement/data/` that a test may break."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))


def _load(*args) -> str:
    out = StringIO()
    call_command("load_reference_data", "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _line_of(path: Path, code: str) -> int:
    """The line (header = 1) of the row whose first cell is `code`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{code},"):
            return number
    raise AssertionError(code)


def test_seeds_the_directory_and_a_second_run_changes_nothing():
    first = _load()
    second = _load()

    centres = ServiceCentre.objects.count()
    assert "partners.csv : 30 créées" in first
    assert f"partenaires des CSP (service_centres.csv) : {centres} créées" in first
    assert "partners.csv : 0 créées, 0 mises à jour, 30 inchangées" in second
    assert f"0 créées, 0 mises à jour, {centres} inchangées" in second
    assert "partner_contacts.csv : 0 créés" in second
    assert Partner.objects.count() == 30 + centres
    kinds = {kind: Partner.objects.filter(kind=kind).count() for kind in PartnerKind.values}
    assert kinds[PartnerKind.MINISTRY] == 5
    assert kinds[PartnerKind.ACCOUNTING] == Region.objects.count()
    assert kinds[PartnerKind.CSP] == centres


def test_a_ministry_team_covers_its_ministry_programmes_with_fictional_contacts():
    _load()

    team = Partner.objects.get(code="equipe-chorus-maaprat")
    assert team.kind == PartnerKind.MINISTRY
    assert [m.code for m in team.ministries.all()] == ["MAAPRAT"]
    assert sorted(p.code for p in team.programmes.all()) == ["149", "154", "206", "215"]
    assert team.mailbox == "chorus-maaprat@example.org"
    assert team.response_hours == 18
    assert team.confidence == Confidence.LOW
    contacts = list(team.contacts.all())
    assert contacts and all(c.email.endswith("@example.org") and c.role for c in contacts)


def test_the_drihl_handles_programme_177_in_paris_and_the_petite_couronne():
    _load()

    drihl = Partner.objects.get(code="drihl-ile-de-france")
    assert [p.code for p in drihl.programmes.all()] == ["177"]
    assert sorted(d.code for d in drihl.departments.all()) == ["75", "92", "93", "94"]


def test_a_cpcm_partner_has_both_ministries_of_its_joint_centre():
    _load()
    centre = ServiceCentre.objects.filter(joint_ministries__isnull=False).first()
    assert centre is not None, "the reference data has joint centres"
    partner = Partner.objects.get(service_centre=centre)

    expected = {centre.ministry.code, *centre.joint_ministries.values_list("code", flat=True)}
    assert len(expected) == 2
    assert set(partner.ministries.values_list("code", flat=True)) == expected
    assert partner.kind == PartnerKind.CSP
    assert partner.mailbox == centre.email
    assert set(partner.programmes.all()) == set(centre.programmes.all())
    assert list(partner.regions.all()) == [centre.region]
    assert partner.chorus_objects == ["ej", "da", "sf", "dp", "tiers"]
    assert partner.response_hours == 9
    # A partner is never surer than the CSP it comes from.
    assert partner.confidence == Confidence.INFERRED


def test_what_the_pilot_set_survives_a_reload_and_the_facts_come_back():
    _load()
    team = Partner.objects.get(code="equipe-chorus-meddtl")
    team.mailbox = "assistance-chorus@developpement-durable.example.org"
    team.phone = "01 40 81 21 22"
    team.response_hours = 27
    team.reminder_max = 1
    team.notes = "Passer par le correspondant des CPCM."
    team.name = "Nom changé à la main"
    team.save()
    team.programmes.clear()
    team.contacts.all().delete()
    PartnerContact.objects.create(partner=team, name="Vraie Personne", role="Cheffe de bureau")
    own = Partner.objects.create(code="cerema", name="Cerema", kind=PartnerKind.OTHER)

    output = _load()

    team.refresh_from_db()
    assert team.mailbox == "assistance-chorus@developpement-durable.example.org"
    assert team.phone == "01 40 81 21 22"
    assert team.response_hours == 27
    assert team.reminder_max == 1
    assert team.notes == "Passer par le correspondant des CPCM."
    assert [c.name for c in team.contacts.all()] == ["Vraie Personne"]
    # The file's facts: name and scope.
    assert team.name == "Équipe Chorus du MEDDTL"
    assert team.programmes.count() == 7
    assert "partners.csv : 0 créées, 1 mise à jour, 29 inchangées" in output
    # Nothing is deleted.
    assert Partner.objects.filter(pk=own.pk).exists()


def test_an_emptied_mailbox_is_filled_again():
    _load()
    Partner.objects.filter(code="aife").update(mailbox="")

    _load()

    assert Partner.objects.get(code="aife").mailbox == "support-chorus-aife@example.org"


@pytest.mark.parametrize(
    ("code", "column", "value", "message"),
    [
        ("aife", "chorus_objects", "restitution bon", "objet Chorus inconnu « bon »"),
        ("equipe-chorus-msoc", "programme_codes", "177 999", "programme inconnu « 999 »"),
        (
            "equipe-chorus-msoc",
            "programme_codes",
            "177 206",
            "le programme 206 relève du ministère MAAPRAT",
        ),
        ("drihl-ile-de-france", "department_codes", "75 13", "le département 13 n'est dans"),
        ("aife", "kind", "csp", "les CSP viennent de service_centres.csv"),
        ("aife", "code", "cpcm-bretagne", "est celui d'un CSP"),
        ("aife", "mailbox", "pas-une-adresse", "adresse électronique invalide"),
        ("aife", "response_hours", "neuf", "« response_hours » vaut « neuf »"),
        ("aife", "confidence", "certain", "fiabilité inconnue « certain »"),
    ],
)
def test_a_bad_row_names_the_file_and_line_and_loads_nothing(
    partner_dir, code, column, value, message
):
    path = partner_dir / "partners.csv"
    line = _line_of(path, code)
    rewrite_cell(path, line, column, value)

    with pytest.raises(CommandError) as error:
        _load("--partner-data-dir", str(partner_dir))

    assert str(error.value).startswith(f"partners.csv, ligne {line} : ")
    assert message in str(error.value)
    assert "Aucune donnée n'a été chargée" in str(error.value)
    assert not Region.objects.exists()
    assert not Partner.objects.exists()


def test_a_contact_of_an_unknown_partner_loads_nothing(partner_dir):
    rewrite_cell(partner_dir / "partner_contacts.csv", 2, "partner_code", "equipe-inconnue")

    with pytest.raises(CommandError, match=r"^partner_contacts.csv, ligne 2 : partenaire inconnu"):
        _load("--partner-data-dir", str(partner_dir))

    assert not Partner.objects.exists()


def test_a_failure_on_reload_leaves_the_directory_as_it_was(partner_dir):
    _load()
    Partner.objects.filter(code="aife").update(name="AIFE (nom du pilote)")
    path = partner_dir / "partners.csv"
    rewrite_cell(path, _line_of(path, "direction-du-budget"), "region_codes", "99")

    with pytest.raises(CommandError, match="région inconnue « 99 »"):
        _load("--partner-data-dir", str(partner_dir))

    assert Partner.objects.get(code="aife").name == "AIFE (nom du pilote)"
