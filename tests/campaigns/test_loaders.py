"""Loading the campaigns and milestones of `accompagnement/data/` with the reference data:
checked first, named errors, idempotent, and the seeded dates keep their uncertainty."""

import csv
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accompagnement.campaigns.loaders import DATA_DIR, read_campaign_data
from accompagnement.campaigns.models import Campaign, CampaignKind, Milestone
from accompagnement.management.commands.load_reference_data import reference_and_campaign_data_load
from ddi.enums import Confidence
from ddi.loaders import DATA_DIR as DDI_DATA_DIR
from ddi.loaders import ReferenceDataError
from ddi.models import DDI, Region
from tests.ddi.data_files import rewrite_cell, rewrite_line
from tests.ddi.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign_dir(tmp_path) -> Path:
    """A copy of `accompagnement/data/` that a test may break."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "campagnes"))


def _load(*args) -> str:
    out = StringIO()
    call_command("load_reference_data", "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _shipped_rows() -> list[dict]:
    with (DATA_DIR / "milestones.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


# ---------------------------------------------------------------------------- the file


def test_every_shipped_milestone_has_an_iso_date_and_keeps_its_uncertainty():
    rows = _shipped_rows()
    assert len(rows) == 16
    for row in rows:
        date.fromisoformat(row["due_date"])  # an explicit day for every milestone
        assert row["source"] and row["explanation"]
    low = [row for row in rows if row["confidence"] == "low"]
    # The seven rows of the shared file whose date is a wording ("mi/fin novembre"…).
    assert len(low) == 7
    assert all(row["date_note"] for row in low)
    notes = {row["code"]: row["date_note"] for row in low}
    assert notes["date-limite-da"] == "mi/fin novembre 2011 (typique, à confirmer par CSP)"


def test_the_command_reports_campaigns_and_milestones_after_the_organisations():
    first = _load()
    second = _load()

    assert first.index("ddis.csv : 238 créées") < first.index("milestones.csv")
    assert "campaigns.csv : 2 créées, 0 mises à jour, 0 inchangées" in first
    assert "milestones.csv : 16 créées, 0 mises à jour, 0 inchangées" in first
    assert "campaigns.csv : 0 créées, 0 mises à jour, 2 inchangées" in second
    assert "milestones.csv : 0 créées, 0 mises à jour, 16 inchangées" in second
    assert second.rstrip().splitlines()[-1].startswith("Données de référence chargées en")


def test_the_seed_loads_the_2011_closing_and_the_2012_start_up():
    reference_and_campaign_data_load()

    closing = Campaign.objects.get(fiscal_year=2011, kind=CampaignKind.YEAR_END)
    start_up = Campaign.objects.get(fiscal_year=2012, kind=CampaignKind.START_UP)
    assert closing.title == "Fin de gestion 2011"
    assert start_up.title == "Démarrage de la gestion 2012"
    assert closing.milestones.count() == 10
    assert start_up.milestones.count() == 6

    da = Milestone.objects.get(code="date-limite-da")
    assert da.due_date == date(2011, 11, 18)
    assert da.confidence == Confidence.LOW
    assert da.is_date_indicative
    assert da.date_note.startswith("mi/fin novembre 2011")
    assert da.needs_acknowledgement
    assert da.reminder_offsets == [15, 7, 1, 0]

    finance_law = Milestone.objects.get(code="loi-de-finances-2012")
    assert finance_law.campaign == start_up
    assert not finance_law.needs_acknowledgement
    assert not finance_law.is_date_indicative

    road_safety = Milestone.objects.get(code="rattachement-p207-interieur")
    assert road_safety.ddi_kinds == ["DDT", "DDTM"]
    assert [p.code for p in road_safety.programmes.all()] == ["207"]
    assert not road_safety.service_centres.exists()


def test_low_dates_stay_marked_after_a_reload():
    reference_and_campaign_data_load()
    reference_and_campaign_data_load()

    low = Milestone.objects.filter(confidence=Confidence.LOW)
    assert low.count() == 7
    assert all(m.is_date_indicative and m.date_note for m in low)


def test_a_reload_restores_the_text_and_keeps_the_pilots_schedule():
    reference_and_campaign_data_load()
    da = Milestone.objects.get(code="date-limite-da")
    # The pilot confirms the date with the CSPs, drops a reminder, and edits the title.
    da.due_date, da.confidence, da.reminder_offsets = date(2011, 11, 25), Confidence.HIGH, [7, 0]
    da.title = "Titre modifié"
    da.save()

    reports = {r.label: r for r in reference_and_campaign_data_load()}

    da.refresh_from_db()
    assert da.title == "Date limite de saisie des demandes d'achat (DA) dans Chorus Formulaires"
    assert (da.due_date, da.confidence, da.reminder_offsets) == (
        date(2011, 11, 25),
        Confidence.HIGH,
        [7, 0],
    )
    report = reports["milestones.csv"]
    assert (report.created, report.updated, report.unchanged) == (0, 1, 15)


def test_a_milestone_added_to_the_file_is_created_with_its_audience(campaign_dir):
    reference_and_campaign_data_load(campaign_data_dir=campaign_dir)
    with (campaign_dir / "milestones.csv").open("a", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerow(
            [
                "2012",
                "start_up",
                "habilitations-2012",
                "Habilitations des gestionnaires pour 2012",
                "Vérifiez les habilitations de vos gestionnaires.",
                "2012-01-20",
                "",
                "DDPP|DDCSPP",
                "206",
                "cpcm-bretagne",
                "7 0",
                "true",
                "test",
                "medium",
            ]
        )

    reports = {r.label: r for r in reference_and_campaign_data_load(campaign_data_dir=campaign_dir)}

    assert reports["milestones.csv"].created == 1
    added = Milestone.objects.get(code="habilitations-2012")
    assert added.ddi_kinds == ["DDPP", "DDCSPP"]
    assert [p.code for p in added.programmes.all()] == ["206"]
    assert [c.code for c in added.service_centres.all()] == ["cpcm-bretagne"]
    assert added.reminder_offsets == [7, 0]


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (5, "due_date", "mi-novembre", "date invalide « mi-novembre » (AAAA-MM-JJ attendu)"),
        (5, "due_date", "2011-11-31", "date invalide « 2011-11-31 »"),
        (5, "due_date", "2021-11-18", "échéance « 2021-11-18 » trop éloignée de l'exercice 2011"),
        (6, "ddi_kinds", "DDT DDX", "type de DDI inconnu « DDX »"),
        (7, "programme_codes", "999", "programme inconnu « 999 » dans « programme_codes »"),
        (7, "service_centre_codes", "csp-fantome", "CSP inconnu « csp-fantome »"),
        (8, "reminder_offsets", "15 -1", "rappel invalide « -1 »"),
        (8, "reminder_offsets", "15 ²", "rappel invalide « ² »"),  # "²".isdigit()
        (8, "reminder_offsets", "7 7", "« 7 » cité deux fois dans « reminder_offsets »"),
        (9, "needs_acknowledgement", "oui", "« needs_acknowledgement » vaut « oui »"),
        (10, "confidence", "given", "fiabilité inconnue « given »"),
        (11, "campaign_kind", "closing", "nature de campagne inconnue « closing »"),
        (12, "campaign_year", "2013", "campagne start_up 2013 absente de campaigns.csv"),
        (13, "code", "Code avec espaces", "code invalide « Code avec espaces »"),
        (14, "code", "loi-de-finances-2012", "doublon : « loi-de-finances-2012 » déjà défini"),
        (15, "explanation", "", "la colonne « explanation » est vide"),
    ],
)
def test_a_malformed_row_names_file_and_line_and_nothing_is_loaded(
    campaign_dir, line, column, value, message
):
    rewrite_cell(campaign_dir / "milestones.csv", line, column, value)

    with pytest.raises(CommandError) as error:
        _load("--campaign-data-dir", str(campaign_dir))

    assert str(error.value).startswith(f"milestones.csv, ligne {line} : {message}")
    assert str(error.value).endswith("Aucune donnée n'a été chargée.")
    # Validation comes first: not even the organisations were written.
    assert not Region.objects.exists()
    assert not DDI.objects.exists()
    assert not Campaign.objects.exists()
    assert not Milestone.objects.exists()


def test_a_broken_file_leaves_a_loaded_database_as_it_was(campaign_dir):
    _load()
    rewrite_cell(campaign_dir / "milestones.csv", 3, "title", "Nouveau titre")
    rewrite_cell(campaign_dir / "milestones.csv", 4, "due_date", "demain")

    with pytest.raises(CommandError, match=r"^milestones.csv, ligne 4 : date invalide"):
        _load("--campaign-data-dir", str(campaign_dir))

    assert not Milestone.objects.filter(title="Nouveau titre").exists()


def test_a_bad_campaign_file_is_named(campaign_dir):
    rewrite_line(campaign_dir / "campaigns.csv", 3, "2011,year_end,Fin de gestion 2011 bis")

    with pytest.raises(CommandError, match=r"^campaigns.csv, ligne 3 : doublon : year_end 2011"):
        _load("--campaign-data-dir", str(campaign_dir))


def test_a_missing_column_is_named(campaign_dir):
    path = campaign_dir / "milestones.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("date_note", "note")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"^milestones.csv, ligne 1 : colonne manquante"):
        _load("--campaign-data-dir", str(campaign_dir))


def test_an_organisation_error_still_comes_from_the_ddi_files(tmp_path):
    ddi_dir = Path(shutil.copytree(DDI_DATA_DIR, tmp_path / "ddi"))
    rewrite_cell(ddi_dir / "ddis.csv", 14, "kind", "DDX")

    with pytest.raises(CommandError, match=r"^ddis.csv, ligne 14 : type de DDI inconnu"):
        _load("--data-dir", str(ddi_dir))


def test_a_programme_added_in_the_admin_may_be_targeted(campaign_dir):
    ProgrammeFactory(code="998", label="Programme créé dans l'administration")
    rewrite_cell(campaign_dir / "milestones.csv", 2, "programme_codes", "998 333")

    reference_and_campaign_data_load(campaign_data_dir=campaign_dir)

    milestone = Milestone.objects.get(code="creation-equipe-accompagnement")
    assert sorted(p.code for p in milestone.programmes.all()) == ["333", "998"]


def test_the_reader_checks_codes_against_the_given_lists(campaign_dir):
    with pytest.raises(ReferenceDataError, match="ligne 4 : programme inconnu « 149 »"):
        read_campaign_data(campaign_dir, programme_codes={"333"}, service_centre_codes=set())
