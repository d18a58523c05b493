"""Chorus references: the formats the portal checks, per Chorus object.

Formats come from `shared/data/chorus_vocabulaire.csv` (Chorus exports): EJ, SF, DP and
tiers numbers are 10 digits; an EJ may carry its 5-digit line (poste), a DP its 3-digit
line. The other objects have no established format: free text, 2 to 40 characters.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accompagnement.support.enums import ChorusObject

_TEN_DIGITS = r"\d{10}"
REFERENCE_FORMATS: dict[str, tuple[re.Pattern, str]] = {
    ChorusObject.EJ: (
        re.compile(rf"^{_TEN_DIGITS}(\s*/\s*\d{{5}})?$"),
        _(
            "un numéro d'EJ a 10 chiffres, suivi si besoin du poste sur 5 chiffres "
            "(ex. 2104410702 ou 2104410702/00001)"
        ),
    ),
    ChorusObject.SF: (
        re.compile(rf"^{_TEN_DIGITS}$"),
        _("un numéro de service fait a 10 chiffres (ex. 5061398107)"),
    ),
    ChorusObject.DP: (
        re.compile(rf"^{_TEN_DIGITS}(\s*/\s*\d{{3}})?$"),
        _(
            "un numéro de DP a 10 chiffres, suivi si besoin de la ligne sur 3 chiffres "
            "(ex. 0100083815 ou 0100083815/002)"
        ),
    ),
    ChorusObject.TIERS: (
        re.compile(rf"^{_TEN_DIGITS}$"),
        _("un code tiers a 10 chiffres (ex. 1000288651)"),
    ),
}
FREE_REFERENCE = re.compile(r"^[\w][\w ./:-]{1,39}$")


def normalise_reference(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip())


def validate_reference(chorus_object: str, reference: str) -> None:
    """Raise a French `ValidationError` when `reference` does not fit `chorus_object`."""
    if not reference:
        return
    if not chorus_object:
        raise ValidationError(_("Précisez l'objet Chorus auquel cette référence se rapporte."))
    pattern, explanation = REFERENCE_FORMATS.get(chorus_object, (FREE_REFERENCE, None))
    if pattern.match(reference):
        return
    if explanation:
        raise ValidationError(
            _("Référence invalide : %(explanation)s."), params={"explanation": explanation}
        )
    raise ValidationError(
        _("Référence invalide : de 2 à 40 caractères, lettres, chiffres, espaces et . / : -")
    )
