from django.db import models
from django.utils.translation import gettext_lazy as _


class DDIKind(models.TextChoices):
    DDT = "DDT", _("DDT — direction départementale des territoires")
    DDTM = "DDTM", _("DDTM — direction départementale des territoires et de la mer")
    DDCS = "DDCS", _("DDCS — direction départementale de la cohésion sociale")
    DDPP = "DDPP", _("DDPP — direction départementale de la protection des populations")
    DDCSPP = (
        "DDCSPP",
        _(
            "DDCSPP — direction départementale de la cohésion sociale "
            "et de la protection des populations"
        ),
    )


class Confidence(models.TextChoices):
    """How sure the reference data is of a fact (shown in the admin, never as certain)."""

    HIGH = "high", _("Sourcé")
    MEDIUM = "medium", _("Probable")
    LOW = "low", _("Typique, à confirmer")
    INFERRED = "inferred", _("Déduit, à confirmer")


class StructureKind(models.TextChoices):
    SGG = "sgg", _("Secrétariat général du Gouvernement")
    AIFE = "aife", _("AIFE")
    BUDGET = "budget", _("Direction du Budget")
    MINISTRY = "ministry", _("Ministère")
