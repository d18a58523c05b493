"""Programme exceptions (`programme_exceptions.csv`): programme 177 in Paris and the petite
couronne is run by the DRIHL's territorial units, not by the DDCS, so no DDCS of 92, 93 or
94 is attached to a CSP for it; in the grande couronne the DDCS carries it out (under the
DRIHL's regional steering) and keeps its attachment."""

from io import StringIO

import pytest
from django.core.management import call_command

from ddi.enums import Confidence
from ddi.loaders import ReferenceDataError, read_reference_data
from ddi.models import ProgrammeException, ServiceCentre, ServiceCentreAttachment
from ddi.services import reference_data_load
from tests.ddi.data_files import rewrite_cell

pytestmark = pytest.mark.django_db

PETITE_COURONNE = ["92", "93", "94"]
GRANDE_COURONNE = ["77", "78", "91", "95"]


def attachments_177(departments):
    return ServiceCentreAttachment.objects.filter(
        programme__code="177", ddi__department__code__in=departments
    )


def stale_default(department_code: str) -> ServiceCentreAttachment:
    """What an earlier load (before the exceptions) created for the DDCS: the IDF
    ministères sociaux CSP, inferred."""
    return ServiceCentreAttachment.objects.create(
        ddi_id=ServiceCentreAttachment.objects.filter(
            ddi__kind="DDCS", ddi__department__code=department_code
        )
        .values_list("ddi_id", flat=True)
        .first(),
        programme_id=ServiceCentre.objects.get(code="csp-ministeres-sociaux-ile-de-france")
        .programmes.get(code="177")
        .pk,
        service_centre=ServiceCentre.objects.get(code="csp-ministeres-sociaux-ile-de-france"),
        confidence=Confidence.INFERRED,
        source="déduit par load_reference_data",
    )


def test_the_shipped_exceptions_keep_their_source_and_confidence():
    data = read_reference_data()
    by_department = {e.department_code: e for e in data.programme_exceptions}

    assert set(by_department) == {"75", *PETITE_COURONNE, *GRANDE_COURONNE}
    assert {e.programme_code for e in data.programme_exceptions} == {"177"}
    assert not any(by_department[code].ddi_attached for code in ["75", *PETITE_COURONNE])
    assert all(by_department[code].ddi_attached for code in GRANDE_COURONNE)
    assert {by_department[code].confidence for code in PETITE_COURONNE} == {"high"}
    assert {by_department[code].confidence for code in GRANDE_COURONNE} == {"medium"}
    assert all("DRIHL" in e.handled_by and "2010-687" in e.source for e in by_department.values())


def test_a_fresh_load_attaches_no_ddcs_of_the_petite_couronne_for_177(reference_data):
    assert ProgrammeException.objects.count() == 8
    assert not attachments_177(PETITE_COURONNE).exists()
    # The grande couronne keeps its own default: the DDCS carries the programme out.
    kept = attachments_177(GRANDE_COURONNE)
    assert sorted(kept.values_list("ddi__department__code", flat=True)) == GRANDE_COURONNE
    assert {a.service_centre.code for a in kept} == {"csp-ministeres-sociaux-ile-de-france"}
    # Their other programmes are attached as usual.
    assert ServiceCentreAttachment.objects.filter(
        ddi__kind="DDCS", ddi__department__code="92", programme__code="124"
    ).exists()


def test_a_reload_removes_an_inferred_default_left_by_an_earlier_load(reference_data):
    stale = [stale_default(code) for code in PETITE_COURONNE]

    reports = reference_data_load()

    report = reports[-1]
    assert report.removed == 3
    assert not ServiceCentreAttachment.objects.filter(pk__in=[a.pk for a in stale]).exists()
    assert "3 supprimés (exception de programme)" in report.summary()
    assert any(
        note.startswith("DDCS 93 : rattachement au CSP pour le programme 177 supprimé")
        for note in report.notes
    )
    assert not report.warnings
    assert attachments_177(GRANDE_COURONNE).count() == 4


def test_an_attachment_the_pilot_edited_is_kept_and_reported(reference_data):
    confirmed = stale_default("92")
    confirmed.confidence = Confidence.HIGH
    confirmed.source = "confirmé par la DRIHL"
    confirmed.save(update_fields=["confidence", "source"])
    moved = stale_default("94")
    moved.service_centre = ServiceCentre.objects.get(code="csp-prefecture-ile-de-france")
    moved.save(update_fields=["service_centre"])

    report = reference_data_load()[-1]

    assert report.removed == 0
    assert set(attachments_177(PETITE_COURONNE)) == {confirmed, moved}
    confirmed.refresh_from_db()
    assert (confirmed.confidence, confirmed.source) == ("high", "confirmé par la DRIHL")
    assert len(report.warnings) == 2
    assert report.warnings[0].startswith(
        "DDCS 92 : rattaché à « CSP des ministères sociaux Île-de-France » pour le programme "
        "177 alors que le programme est traité par un autre service"
    )


def test_the_command_says_what_it_removed():
    call_command("load_reference_data", "--no-progress", stdout=StringIO(), stderr=StringIO())
    stale_default("93")
    out = StringIO()

    call_command("load_reference_data", "--no-progress", stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert "rattachements des DDI aux CSP : 0 créés, 1 supprimé (exception de programme)" in text
    assert "  DDCS 93 : rattachement au CSP pour le programme 177 supprimé" in text


def test_a_changed_exception_is_updated_on_reload(reference_data, data_dir):
    rewrite_cell(data_dir / "programme_exceptions.csv", 2, "confidence", "medium")

    reports = {r.label: r for r in reference_data_load(data_dir=data_dir)}

    assert reports["programme_exceptions.csv"].updated == 1
    assert ProgrammeException.objects.get(department__code="75").confidence == "medium"


def test_a_ddi_needs_no_centre_for_a_programme_another_service_runs(data_dir):
    # No CSP of Île-de-France handles 177 any more: fine for 92, 93, 94 (DRIHL)...
    rewrite_cell(
        data_dir / "service_centres.csv",
        4,
        "programme_codes",
        "124 106 157 137 147 163 219 155",
    )
    for line in range(6, 10):  # 77, 78, 91, 95: the DDCS is not attached either
        rewrite_cell(data_dir / "programme_exceptions.csv", line, "ddi_attached", "false")

    assert len(read_reference_data(data_dir).ddis) == 238

    # ...but not for the grande couronne, where the DDCS carries it out.
    rewrite_cell(data_dir / "programme_exceptions.csv", 6, "ddi_attached", "true")
    with pytest.raises(ReferenceDataError) as error:
        read_reference_data(data_dir)
    assert error.value.filename == "ddis.csv"
    assert "programme 177 utilisé par les DDCS" in error.value.message


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (2, "department_code", "20", "ligne 2 : département inconnu « 20 »"),
        (3, "programme_code", "999", "ligne 3 : programme inconnu « 999 »"),
        (4, "ddi_attached", "non", "ligne 4 : « ddi_attached » vaut « non »"),
        (5, "handled_by", "", "ligne 5 : la colonne « handled_by » est vide"),
        (6, "department_code", "75", "ligne 6 : doublon : 75 × 177 déjà défini ligne 2"),
    ],
)
def test_a_bad_exception_names_the_line(data_dir, line, column, value, message):
    rewrite_cell(data_dir / "programme_exceptions.csv", line, column, value)

    with pytest.raises(ReferenceDataError) as error:
        read_reference_data(data_dir)

    assert str(error.value).startswith(f"programme_exceptions.csv, {message}")
