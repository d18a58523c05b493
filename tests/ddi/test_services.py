"""Loading the reference data: counts, idempotency, what the administrators own."""

import pytest
from django.db.models import F

from ddi.loaders import ReferenceDataError
from ddi.models import (
    DDI,
    Department,
    ProgrammeException,
    ProgrammeUse,
    Region,
    ServiceCentre,
    ServiceCentreAttachment,
    Structure,
)
from ddi.services import reference_data_load
from tests.ddi.data_files import rewrite_cell

pytestmark = pytest.mark.django_db


def test_a_fresh_load_creates_everything(reference_data):
    assert Region.objects.count() == 22
    assert Department.objects.count() >= 94
    assert DDI.objects.count() >= 230
    assert Structure.objects.count() == 8
    assert {(r.label, r.updated, r.unchanged) for r in reference_data} == {
        (r.label, 0, 0) for r in reference_data
    }
    assert all(r.created for r in reference_data)


def test_every_ddi_has_a_centre_for_each_programme_its_kind_uses(reference_data):
    """Except where another service runs the programme (177 in Paris and the petite
    couronne: the DRIHL)."""
    excepted = set(
        ProgrammeException.objects.filter(ddi_attached=False).values_list(
            "department_id", "programme_id"
        )
    )
    needed = {
        (ddi_id, programme_id)
        for ddi_id, kind, department_id in DDI.objects.values_list("pk", "kind", "department_id")
        for use_kind, programme_id in ProgrammeUse.objects.values_list("ddi_kind", "programme_id")
        if use_kind == kind and (department_id, programme_id) not in excepted
    }
    attached = set(ServiceCentreAttachment.objects.values_list("ddi_id", "programme_id"))

    assert len(needed) > 2000
    assert needed == attached


def test_default_centres_are_of_the_ddi_region_and_handle_the_programme(reference_data):
    attachments = ServiceCentreAttachment.objects.all()

    assert not attachments.exclude(service_centre__region=F("ddi__department__region")).exists()
    for programme_id, centre_id in attachments.values_list("programme_id", "service_centre_id")[
        :50
    ]:
        assert ServiceCentre.objects.filter(pk=centre_id, programmes=programme_id).exists()
    assert set(attachments.values_list("confidence", flat=True)) == {"inferred"}


def test_a_second_load_changes_nothing(reference_data):
    counts = [model.objects.count() for model in (DDI, ServiceCentreAttachment, ServiceCentre)]

    reports = reference_data_load()

    assert [model.objects.count() for model in (DDI, ServiceCentreAttachment, ServiceCentre)] == (
        counts
    )
    assert all(r.created == 0 and r.updated == 0 for r in reports)
    assert {r.label: r.unchanged for r in reports}["ddis.csv"] == 238


def test_a_second_load_takes_a_bounded_number_of_queries(
    reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        reference_data_load()


def test_an_edited_attachment_survives_a_reload(reference_data):
    attachment = ServiceCentreAttachment.objects.get(
        ddi__kind="DDPP", ddi__department__code="13", programme__code="206"
    )
    other_centre = ServiceCentre.objects.get(code="cpcm-corse")
    attachment.service_centre = other_centre
    attachment.confidence = "high"
    attachment.source = "confirmé par le CSP"
    attachment.save(update_fields=["service_centre", "confidence", "source"])

    reports = reference_data_load()

    attachment.refresh_from_db()
    assert attachment.service_centre == other_centre
    assert (attachment.confidence, attachment.source) == ("high", "confirmé par le CSP")
    assert reports[-1].created == 0


def test_a_deleted_attachment_is_created_again(reference_data):
    deleted, _ = ServiceCentreAttachment.objects.filter(ddi__department__code="01").delete()

    reports = reference_data_load()

    assert deleted == 9 + 11 + 5  # DDT, DDCS and DDPP of the Ain
    assert reports[-1].created == deleted
    assert ServiceCentreAttachment.objects.filter(ddi__department__code="01").count() == deleted


def test_progress_bar_goes_to_stderr(db, capsys):
    reference_data_load(show_progress=True)

    captured = capsys.readouterr()
    assert "Données de référence" in captured.err
    assert captured.out == ""


def test_contacts_entered_in_the_admin_are_kept(reference_data):
    ServiceCentre.objects.filter(code="cpcm-rhone-alpes").update(
        email="cpcm@exemple.test", contact_name="Mme Exemple"
    )
    DDI.objects.filter(kind="DDT", department__code="01").update(email="ddt@exemple.test")

    reports = reference_data_load()

    centre = ServiceCentre.objects.get(code="cpcm-rhone-alpes")
    assert (centre.email, centre.contact_name) == ("cpcm@exemple.test", "Mme Exemple")
    assert DDI.objects.get(kind="DDT", department__code="01").email == "ddt@exemple.test"
    assert all(r.updated == 0 for r in reports)


def test_a_changed_file_updates_its_rows(reference_data, data_dir):
    rewrite_cell(data_dir / "regions.csv", 2, "name", "Région parisienne")
    ServiceCentre.objects.get(code="cpcm-corse").programmes.clear()

    reports = {r.label: r for r in reference_data_load(data_dir=data_dir)}

    assert Region.objects.get(code="11").name == "Région parisienne"
    assert (reports["regions.csv"].updated, reports["regions.csv"].unchanged) == (1, 21)
    assert reports["service_centres.csv"].updated == 1
    assert ServiceCentre.objects.get(code="cpcm-corse").programmes.count() == 11


def test_a_bad_file_loads_nothing_at_all(reference_data, data_dir):
    rewrite_cell(data_dir / "regions.csv", 2, "name", "Région parisienne")
    rewrite_cell(data_dir / "ddis.csv", 14, "kind", "DDX")

    with pytest.raises(ReferenceDataError):
        reference_data_load(data_dir=data_dir)

    assert Region.objects.get(code="11").name == "Île-de-France"


def test_str_of_a_loaded_ddi(reference_data):
    ddis = DDI.objects.select_related("department")

    assert (
        str(ddis.get(kind="DDPP", department__code="13")) == "DDPP des Bouches-du-Rhône (DDPP 13)"
    )
    assert str(ddis.get(kind="DDT", department__code="01")) == "DDT de l'Ain (DDT 01)"
    assert str(ddis.get(kind="DDTM", department__code="59")) == "DDTM du Nord (DDTM 59)"
    assert str(ddis.get(kind="DDCS", department__code="80")) == "DDCS de la Somme (DDCS 80)"
    assert str(ddis.get(kind="DDPP", department__code="75")) == "DDPP de Paris (DDPP 75)"
    assert (
        ddis.get(kind="DDPP", department__code="13").name
        == "Direction départementale de la protection des populations des Bouches-du-Rhône"
    )


def test_ile_de_france_exceptions_are_kept(reference_data):
    assert list(DDI.objects.filter(department__code="75").values_list("kind", flat=True)) == [
        "DDPP"
    ]
    assert not DDI.objects.filter(kind="DDT", department__code__in=["92", "93", "94"]).exists()
