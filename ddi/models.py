"""The organisations the portal knows: reference data loaded from `ddi/data/`.

Every row loaded from a data file keeps where the fact comes from (`source`) and how
sure it is (`confidence`): inferred facts are editable defaults, never presented as
certain.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ddi.enums import Confidence, DDIKind, StructureKind

# INSEE "type de nom en clair" -> the French preposition before the name.
_PREPOSITION_BY_TNCC = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'"}


class SourcedModel(models.Model):
    source = models.TextField(_("source"), blank=True)
    confidence = models.CharField(
        _("fiabilité"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH
    )

    class Meta:
        abstract = True


class Region(SourcedModel):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(SourcedModel):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("région")
    )
    name_type = models.PositiveSmallIntegerField(
        _("type de nom (INSEE)"),
        default=0,
        help_text=_(
            "Type de nom en clair de l'INSEE : fixe l'article (de, du, de la, des, de l')."
        ),
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(name_type__lte=5), name="department_name_type_valid"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def name_with_preposition(self) -> str:
        """ "des Bouches-du-Rhône", "de l'Ain", "du Nord"…"""
        return f"{_PREPOSITION_BY_TNCC.get(self.name_type, 'de ')}{self.name}"


class Ministry(SourcedModel):
    code = models.CharField(_("sigle"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        verbose_name = _("ministère")
        verbose_name_plural = _("ministères")
        ordering = ["code"]

    def __str__(self):
        return self.code


class Programme(SourcedModel):
    code = models.CharField(_("code"), max_length=3, unique=True)
    label = models.CharField(_("libellé"), max_length=250)
    ministry = models.ForeignKey(
        Ministry, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("ministère")
    )
    relevance = models.TextField(_("intérêt pour les DDI"), blank=True)

    class Meta:
        verbose_name = _("programme budgétaire")
        verbose_name_plural = _("programmes budgétaires")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{3}$"), name="programme_code_three_digits"
            )
        ]

    def __str__(self):
        return f"P{self.code} — {self.label}"


class ProgrammeUse(SourcedModel):
    """Which programmes a kind of DDI uses (so which CSP each DDI needs)."""

    ddi_kind = models.CharField(_("type de DDI"), max_length=6, choices=DDIKind.choices)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="uses", verbose_name=_("programme")
    )

    class Meta:
        verbose_name = _("programme utilisé par un type de DDI")
        verbose_name_plural = _("programmes utilisés par type de DDI")
        ordering = ["ddi_kind", "programme__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["ddi_kind", "programme"], name="programme_use_unique_kind_programme"
            )
        ]

    def __str__(self):
        return f"{self.ddi_kind} — P{self.programme.code}"


class ServiceCentre(SourcedModel):
    """A centre de services partagés (CSP) that runs Chorus operations for DDIs."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    ministry = models.ForeignKey(
        Ministry,
        on_delete=models.PROTECT,
        related_name="service_centres",
        verbose_name=_("ministère"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="service_centres",
        null=True,
        blank=True,
        verbose_name=_("région"),
    )
    programmes = models.ManyToManyField(
        Programme, related_name="service_centres", blank=True, verbose_name=_("programmes")
    )
    # A joint centre (the agriculture and ecology CPCMs) serves the programmes of more than
    # one ministry: a request on one of them concerns the programme's ministry.
    joint_ministries = models.ManyToManyField(
        Ministry,
        related_name="joint_service_centres",
        blank=True,
        verbose_name=_("ministères associés (centre commun)"),
    )
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("centre de services partagés (CSP)")
        verbose_name_plural = _("centres de services partagés (CSP)")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DDI(SourcedModel):
    kind = models.CharField(_("type"), max_length=6, choices=DDIKind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="ddis", verbose_name=_("département")
    )
    name = models.CharField(_("nom"), max_length=250)
    email = models.EmailField(_("courriel de la direction"), blank=True)
    service_centres = models.ManyToManyField(
        ServiceCentre,
        through="ServiceCentreAttachment",
        related_name="ddis",
        blank=True,
        verbose_name=_("CSP"),
    )

    class Meta:
        verbose_name = _("DDI")
        verbose_name_plural = _("DDI")
        ordering = ["department__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "department"], name="ddi_unique_kind_department"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.department.name_with_preposition} ({self.acronym})"

    @property
    def acronym(self) -> str:
        """ "DDPP 13"."""
        return f"{self.kind} {self.department.code}"


class ServiceCentreAttachment(SourcedModel):
    """For one DDI and one programme, the CSP that serves it."""

    ddi = models.ForeignKey(
        DDI, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("DDI")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("programme")
    )
    service_centre = models.ForeignKey(
        ServiceCentre,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("CSP"),
    )

    class Meta:
        verbose_name = _("rattachement d'une DDI à un CSP")
        verbose_name_plural = _("rattachements des DDI aux CSP")
        ordering = ["ddi", "programme__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["ddi", "programme"], name="attachment_unique_ddi_programme"
            )
        ]

    def __str__(self):
        return f"{self.ddi.acronym} — P{self.programme.code} — {self.service_centre}"


class ProgrammeException(SourcedModel):
    """A programme run in a department by another service than its usual DDI.

    Programme 177 in Paris and the petite couronne is handled by the DRIHL's territorial
    units, not by the DDCS: no DDI of the department is attached to a CSP for it
    (`ddi_attached` False). In the grande couronne the DDCS carries it out under the
    DRIHL's regional steering (`ddi_attached` True, the exception is said all the same).
    """

    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="programme_exceptions",
        verbose_name=_("département"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="exceptions",
        verbose_name=_("programme"),
    )
    handled_by = models.TextField(_("service qui le traite"))
    ddi_attached = models.BooleanField(
        _("la DDI est rattachée à un CSP pour ce programme"), default=False
    )

    class Meta:
        verbose_name = _("exception de programme")
        verbose_name_plural = _("exceptions de programme")
        ordering = ["programme__code", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "programme"], name="programme_exception_unique"
            )
        ]

    def __str__(self):
        return f"P{self.programme.code} — {self.department.code}"


class Structure(SourcedModel):
    """A team member's home organisation."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("nature"), max_length=10, choices=StructureKind.choices)
    ministry = models.ForeignKey(
        Ministry,
        on_delete=models.PROTECT,
        related_name="structures",
        null=True,
        blank=True,
        verbose_name=_("ministère"),
    )

    class Meta:
        verbose_name = _("structure d'origine")
        verbose_name_plural = _("structures d'origine")
        ordering = ["name"]

    def __str__(self):
        return self.name
