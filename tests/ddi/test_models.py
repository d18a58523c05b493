import pytest

from ddi.models import DDI, Department, Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "name", "name_type", "expected"),
    [
        ("13", "Bouches-du-Rhône", 4, "des Bouches-du-Rhône"),
        ("01", "Ain", 5, "de l'Ain"),
        ("59", "Nord", 2, "du Nord"),
        ("80", "Somme", 3, "de la Somme"),
        ("75", "Paris", 0, "de Paris"),
        ("28", "Eure-et-Loir", 1, "d'Eure-et-Loir"),
    ],
)
def test_department_name_with_preposition(code, name, name_type, expected):
    assert Department(code=code, name=name, name_type=name_type).name_with_preposition == expected


def test_ddi_str_and_acronym():
    region = Region.objects.create(code="93", name="Provence-Alpes-Côte d'Azur")
    department = Department.objects.create(
        code="13", name="Bouches-du-Rhône", region=region, name_type=4
    )
    ddi = DDI.objects.create(kind="DDPP", department=department, name="x")

    assert str(ddi) == "DDPP des Bouches-du-Rhône (DDPP 13)"
    assert ddi.acronym == "DDPP 13"
