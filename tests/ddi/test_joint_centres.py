"""Joint centres (`joint_ministry_codes` of `service_centres.csv`): the agriculture and ecology
CPCMs serve both ministries (note SG/SAFSL/SDABC/N2009-1516); the file owns the list. Also the
confidences carried over from `shared/data/ddi_2011.csv` and the unsourced finance centres."""

import pytest

from ddi.loaders import ReferenceDataError, read_reference_data
from ddi.models import DDI, Ministry, ServiceCentre
from ddi.services import reference_data_load
from tests.ddi.data_files import rewrite_cell

pytestmark = pytest.mark.django_db


def joint_codes(centre: ServiceCentre) -> set[str]:
    return set(centre.joint_ministries.values_list("code", flat=True))


def test_every_cpcm_is_joint_with_maaprat_and_led_by_meddtl(reference_data):
    cpcms = ServiceCentre.objects.filter(code__startswith="cpcm-")

    assert cpcms.count() == 22
    assert set(cpcms.values_list("ministry__code", flat=True)) == {"MEDDTL"}
    assert all(joint_codes(centre) == {"MAAPRAT"} for centre in cpcms)
    assert all("N2009-1516" in centre.source for centre in cpcms)
    # Every other centre serves its own ministry only.
    assert not ServiceCentre.objects.exclude(code__startswith="cpcm-").filter(
        joint_ministries__isnull=False
    )


def test_the_file_owns_the_associated_ministries(reference_data):
    centre = ServiceCentre.objects.get(code="cpcm-bretagne")
    centre.joint_ministries.add(Ministry.objects.get(code="MIOMCTI"))
    ServiceCentre.objects.get(code="cpcm-corse").joint_ministries.clear()

    reports = {r.label: r for r in reference_data_load()}

    assert joint_codes(centre) == {"MAAPRAT"}
    assert joint_codes(ServiceCentre.objects.get(code="cpcm-corse")) == {"MAAPRAT"}
    assert reports["service_centres.csv"].updated == 2
    # And a third load has nothing left to do.
    assert {r.label: r for r in reference_data_load()}["service_centres.csv"].updated == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("MAAPRAT XYZ", "ministère associé inconnu « XYZ »"),
        ("MEDDTL", "ministère associé « MEDDTL » cité deux fois (ou déjà porteur)"),
        ("MAAPRAT MAAPRAT", "ministère associé « MAAPRAT » cité deux fois"),
    ],
)
def test_a_bad_associated_ministry_names_the_line(data_dir, value, message):
    rewrite_cell(data_dir / "service_centres.csv", 2, "joint_ministry_codes", value)

    with pytest.raises(ReferenceDataError) as error:
        read_reference_data(data_dir)

    assert str(error.value).startswith(f"service_centres.csv, ligne 2 : {message}")


def test_the_finance_centres_say_they_have_no_source():
    data = read_reference_data()
    finance = [c for c in data.service_centres if c.code.startswith("csp-economie-finances-")]

    assert len(finance) == 22
    assert all("134" in c.programme_codes for c in finance)
    assert {c.confidence for c in finance} == {"inferred"}
    assert all(c.source.startswith("aucune source") for c in finance)


def test_ddi_confidences_follow_the_reviewed_shared_file(reference_data):
    def confidence(kind, department):
        return DDI.objects.get(kind=kind, department__code=department).confidence

    assert confidence("DDCSPP", "25") == confidence("DDCSPP", "51") == "low"
    assert confidence("DDCSPP", "24") == confidence("DDCSPP", "28") == "medium"
    assert confidence("DDCSPP", "40") == confidence("DDCSPP", "68") == "high"
    assert (
        "42 départements hors IDF" in DDI.objects.get(kind="DDCSPP", department__code="25").source
    )
