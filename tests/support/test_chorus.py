import pytest
from django.core.exceptions import ValidationError

from accompagnement.support.chorus import validate_reference
from accompagnement.support.enums import ChorusObject


@pytest.mark.parametrize(
    ("obj", "reference"),
    [
        (ChorusObject.EJ, "2104410702"),
        (ChorusObject.EJ, "2104410702/00001"),
        (ChorusObject.DP, "0100083815 / 002"),
        (ChorusObject.SF, "5061398107"),
        (ChorusObject.TIERS, "1000288651"),
        (ChorusObject.RESTITUTION, "INF-BUD-53"),
        (ChorusObject.DA, "DA 2011-123"),
        (ChorusObject.EJ, ""),
    ],
)
def test_valid_references(obj, reference):
    validate_reference(obj, reference)


@pytest.mark.parametrize(
    ("obj", "reference", "message"),
    [
        (ChorusObject.EJ, "21044107", "10 chiffres"),
        (ChorusObject.EJ, "2104410702/1", "10 chiffres"),
        (ChorusObject.DP, "ABCDEFGHIJ", "10 chiffres"),
        (ChorusObject.TIERS, "12345678901", "code tiers"),
        (ChorusObject.OTHER, "<script>", "de 2 à 40 caractères"),
        ("", "2104410702", "Précisez l'objet Chorus"),
    ],
)
def test_invalid_references_say_why_in_french(obj, reference, message):
    with pytest.raises(ValidationError) as error:
        validate_reference(obj, reference)
    assert message in " ".join(error.value.messages)
