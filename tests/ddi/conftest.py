import shutil
from pathlib import Path

import pytest

from ddi.loaders import DATA_DIR
from ddi.services import reference_data_load


@pytest.fixture
def reference_data(db):
    """The shipped reference data, loaded; returns the load reports."""
    return reference_data_load()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A copy of `ddi/data/` that a test may break."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))
