"""People: the users and their role, the team members' profiles, and the ProConnect sign-ins
that no account matched yet."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent de DDI")
    MEMBER = "member", _("Membre de l'équipe")
    PILOT = "pilot", _("Pilote (SGG)")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        # Technical administrators are not DDI agents: they hold the pilot's rights.
        extra_fields.setdefault("role", Role.PILOT)
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    ddi = models.ForeignKey(
        "ddi.DDI",
        on_delete=models.PROTECT,
        related_name="agents",
        null=True,
        blank=True,
        verbose_name=_("DDI"),
        help_text=_("Obligatoire pour un agent de DDI, vide pour l'équipe."),
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Peut se connecter à l'administration technique."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("date d'inscription"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name"]
        constraints = [
            # An agent belongs to exactly one DDI; team members to none.
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.AGENT, ddi__isnull=False)
                    | (~models.Q(role=Role.AGENT) & models.Q(ddi__isnull=True))
                ),
                name="user_agent_has_exactly_one_ddi",
                violation_error_message=_(
                    "Un agent de DDI doit être rattaché à une DDI ; "
                    "un membre de l'équipe ou le pilote à aucune."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    @property
    def is_team(self) -> bool:
        return self.role in (Role.MEMBER, Role.PILOT)

    @property
    def is_pilot(self) -> bool:
        return self.role == Role.PILOT


class TeamMember(models.Model):
    """A team member's profile: where they come from and what they cover."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="team_profile", verbose_name=_("personne")
    )
    structure = models.ForeignKey(
        "ddi.Structure",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("structure d'origine"),
    )
    referent_ministry = models.ForeignKey(
        "ddi.Ministry",
        on_delete=models.PROTECT,
        related_name="referents",
        null=True,
        blank=True,
        verbose_name=_("référent pour le ministère"),
    )
    referent_programmes = models.ManyToManyField(
        "ddi.Programme",
        related_name="referents",
        blank=True,
        verbose_name=_("référent pour les programmes"),
    )
    time_share = models.PositiveSmallIntegerField(
        _("quotité de temps (%)"),
        default=100,
        help_text=_("Part de son temps consacrée à l'équipe, en pourcentage."),
    )
    # The alert kinds (`alerts/enums.py` AlertKind) the member reads in the portal only,
    # without an e-mail. Empty: every alert also comes by e-mail.
    alerts_without_email = models.JSONField(_("alertes sans courriel"), default=list, blank=True)

    class Meta:
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("membres de l'équipe")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_share__gte=1, time_share__lte=100),
                name="team_member_time_share_percent",
                violation_error_message=_("La quotité doit être comprise entre 1 et 100 %."),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.structure})"


class Absence(models.Model):
    """A period a team member is away: new requests are not routed to them then."""

    member = models.ForeignKey(
        TeamMember, on_delete=models.CASCADE, related_name="absences", verbose_name=_("membre")
    )
    start = models.DateField(_("du"))
    end = models.DateField(_("au (inclus)"))
    reason = models.CharField(_("motif"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["end", "start"], name="absence_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="absence_end_after_start",
                violation_error_message=_("La fin de l'absence précède son début."),
            )
        ]

    def __str__(self):
        return f"{self.member.user} : {self.start} → {self.end}"


class PendingSignInStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    OPENED = "opened", _("Compte ouvert")


class PendingSignIn(models.Model):
    """A sign-in with ProConnect that no account matched yet.

    A civil servant whose e-mail address matches no account is not let in: their sign-in is
    kept here, with what ProConnect said about them, until the pilot opens their account.
    One row per e-mail address: signing in again updates it.
    """

    email = models.EmailField(_("adresse électronique"))
    given_name = models.CharField(_("prénom"), max_length=150, blank=True)
    usual_name = models.CharField(_("nom"), max_length=150, blank=True)
    siret = models.CharField(_("SIRET"), max_length=20, blank=True)
    organizational_unit = models.CharField(_("service"), max_length=255, blank=True)
    uid = models.CharField(
        _("identifiant chez le fournisseur d'identité"), max_length=255, blank=True
    )
    idp_id = models.CharField(_("fournisseur d'identité"), max_length=255, blank=True)
    sub = models.CharField(_("identifiant ProConnect (sub)"), max_length=255, blank=True)
    first_seen_at = models.DateTimeField(_("première tentative"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("dernière tentative"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=PendingSignInStatus.choices,
        default=PendingSignInStatus.PENDING,
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("compte ouvert"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ouvert par"),
    )
    opened_at = models.DateTimeField(_("ouvert le"), null=True, blank=True)

    class Meta:
        verbose_name = _("connexion ProConnect en attente")
        verbose_name_plural = _("connexions ProConnect en attente")
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="pending_sign_in_unique_email"),
        ]
        indexes = [models.Index(fields=["status", "-last_seen_at"], name="pending_sign_in_status")]

    def __str__(self):
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.usual_name}".strip()
