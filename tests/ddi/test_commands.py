"""`manage.py load_reference_data`: its report and its errors."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ddi.models import DDI, Region
from tests.ddi.data_files import rewrite_cell

pytestmark = pytest.mark.django_db


def _load(*args) -> str:
    out = StringIO()
    call_command("load_reference_data", "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_reports_per_file_in_french():
    first = _load()
    second = _load()

    assert "ddis.csv : 238 créées, 0 mises à jour, 0 inchangées" in first
    assert "regions.csv : 22 créées, 0 mises à jour, 0 inchangées" in first
    assert "ddis.csv : 0 créées, 0 mises à jour, 238 inchangées" in second
    assert "rattachements des DDI aux CSP : 0 créés" in second
    assert "Données de référence chargées en" in second


def test_a_malformed_row_is_a_command_error_and_loads_nothing(data_dir):
    rewrite_cell(data_dir / "ddis.csv", 14, "kind", "DDX")

    with pytest.raises(CommandError, match=r"^ddis.csv, ligne 14 : type de DDI inconnu « DDX »"):
        _load("--data-dir", str(data_dir))

    assert not Region.objects.exists()
    assert not DDI.objects.exists()


def test_an_unknown_data_dir_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="dossier de données introuvable"):
        _load("--data-dir", str(tmp_path / "absent"))
