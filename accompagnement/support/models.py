"""Support requests and what hangs on them: messages, attachments, the audit timeline; the
reference counter. The team's own tools (saved filters, canned answers, routing rules) are
in `team_models.py`."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis, Category
from accompagnement.support.enums import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    ChorusObject,
    EscalationTarget,
    EventKind,
    MessageKind,
    Priority,
    Status,
)
from accompagnement.support.sla import SlaState, sla_state


class ReferenceCounter(models.Model):
    """The last number given out for a year: `ACC-<year>-<number>`."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de références")
        verbose_name_plural = _("compteurs de références")

    def __str__(self):
        return f"{self.year} : {self.last_number}"


class SupportRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def breached(self, now=None):
        """Open requests past a due date (for a paused clock: past it when it stopped)."""
        return self.open().filter(sla_breached_q(now or timezone.now()))

    # The queue and the reminders said "overdue" before the clock had states.
    overdue = breached

    def approaching(self, now=None):
        """Open requests whose clock runs and has used the approaching share of a target."""
        now = now or timezone.now()
        return (
            self.open()
            .filter(sla_paused_at__isnull=True)
            .filter(
                models.Q(first_response_at__isnull=True, first_response_warning_at__lte=now)
                | models.Q(resolution_warning_at__lte=now)
            )
            .exclude(sla_breached_q(now))
        )

    def on_time(self, now=None):
        now = now or timezone.now()
        return (
            self.open()
            .filter(sla_paused_at__isnull=True)
            .exclude(sla_breached_q(now))
            .exclude(
                models.Q(first_response_at__isnull=True, first_response_warning_at__lte=now)
                | models.Q(resolution_warning_at__lte=now)
            )
        )

    def paused(self, now=None):
        """Waiting for the DDI or a partner, not breached before the pause."""
        now = now or timezone.now()
        return self.open().filter(sla_paused_at__isnull=False).exclude(sla_breached_q(now))


def sla_breached_q(now) -> models.Q:
    """A due date passed: before the pause for a paused clock, before `now` otherwise."""
    running = models.Q(sla_paused_at__isnull=True) & (
        models.Q(resolution_due__lte=now)
        | models.Q(first_response_at__isnull=True, first_response_due__lte=now)
    )
    stopped_at = models.F("sla_paused_at")
    paused = models.Q(sla_paused_at__isnull=False) & (
        models.Q(resolution_due__lte=stopped_at)
        | models.Q(first_response_at__isnull=True, first_response_due__lte=stopped_at)
    )
    return running | paused


class SupportRequest(models.Model):
    reference = models.CharField(_("référence"), max_length=20, unique=True, editable=False)
    ddi = models.ForeignKey(
        "ddi.DDI", on_delete=models.PROTECT, related_name="support_requests", verbose_name=_("DDI")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="filed_requests",
        verbose_name=_("demandeur"),
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="followed_requests",
        blank=True,
        verbose_name=_("personnes qui suivent la demande"),
    )
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="requests", verbose_name=_("catégorie")
    )
    programme = models.ForeignKey(
        "ddi.Programme",
        on_delete=models.PROTECT,
        related_name="support_requests",
        null=True,
        blank=True,
        verbose_name=_("programme"),
    )
    service_centre = models.ForeignKey(
        "ddi.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="support_requests",
        null=True,
        blank=True,
        verbose_name=_("CSP"),
    )
    chorus_object = models.CharField(
        _("objet Chorus"), max_length=20, choices=ChorusObject.choices, blank=True
    )
    chorus_reference = models.CharField(_("référence Chorus"), max_length=40, blank=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("description"))
    priority = models.CharField(
        _("priorité"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    # urgent > high > normal > low as a number, kept by the database, so that the queue
    # sorts by priority through an index instead of ranking every row of the table.
    priority_rank = models.GeneratedField(
        expression=models.Case(
            *(
                models.When(priority=priority, then=models.Value(rank))
                for priority, rank in PRIORITY_RANK.items()
            ),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("rang de la priorité"),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
        null=True,
        blank=True,
        verbose_name=_("attribuée à"),
    )
    # With automatic assignment off, the member the routing rule proposes (a member confirms).
    proposed_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="proposed_requests",
        null=True,
        blank=True,
        verbose_name=_("attribution proposée à"),
    )
    escalation_target = models.CharField(
        _("escaladée vers"), max_length=20, choices=EscalationTarget.choices, blank=True
    )
    escalation_ministry = models.ForeignKey(
        "ddi.Ministry",
        on_delete=models.PROTECT,
        related_name="escalated_requests",
        null=True,
        blank=True,
        verbose_name=_("ministère de l'escalade"),
    )
    escalation_service_centre = models.ForeignKey(
        "ddi.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="escalated_requests",
        null=True,
        blank=True,
        verbose_name=_("CSP de l'escalade"),
    )
    redirect_contact = models.TextField(_("interlocuteur indiqué à la DDI"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="duplicates",
        null=True,
        blank=True,
        verbose_name=_("doublon de"),
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("demandes liées"))
    # SET_NULL: each answer of the problem is copied into the request's own timeline, so
    # a request stays whole without its problem, and deleting a problem (admin only) never
    # has to detach or block the requests of many DDIs first.
    problem = models.ForeignKey(
        "accompagnement.Problem",
        on_delete=models.SET_NULL,
        related_name="requests",
        null=True,
        blank=True,
        verbose_name=_("problème"),
    )

    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="merged_requests",
        null=True,
        blank=True,
        verbose_name=_("fusionnée dans"),
    )
    # The request this one follows up (a DDI's message after the reopening delay).
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        null=True,
        blank=True,
        verbose_name=_("suite de"),
    )

    created_at = models.DateTimeField(_("déposée le"), default=timezone.now)
    # The SLA clock (`sla.py`): it starts at the team's next opening after filing, stops
    # while the request waits for the DDI or a partner (`sla_paused_at`), and each pause
    # pushes the due dates back by the working time it lasted.
    sla_started_at = models.DateTimeField(_("début du décompte"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("décompte suspendu depuis"), null=True, blank=True)
    # Working seconds of the pauses already ended: the due dates are the targets counted
    # from `sla_started_at` plus this.
    sla_paused_seconds = models.PositiveIntegerField(_("durée des suspensions (s)"), default=0)
    first_response_due = models.DateTimeField(_("première réponse attendue le"))
    first_response_warning_at = models.DateTimeField(
        _("première réponse : échéance proche le"), null=True, blank=True
    )
    resolution_due = models.DateTimeField(_("résolution attendue le"))
    resolution_warning_at = models.DateTimeField(
        _("résolution : échéance proche le"), null=True, blank=True
    )
    first_response_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("résolue le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("dernière activité"), default=timezone.now)
    reopened_count = models.PositiveSmallIntegerField(_("réouvertures"), default=0)
    # French working days from filing to `first_response_at` / `resolved_at` (local dates),
    # stored so that medians and percentiles are computed in SQL; written with the
    # timestamps by `services/requests.py`.
    first_response_days = models.PositiveIntegerField(
        _("délai de première réponse (jours ouvrés)"), null=True, blank=True
    )
    resolution_days = models.PositiveIntegerField(
        _("délai de résolution (jours ouvrés)"), null=True, blank=True
    )
    # Set when the retention delay has passed and the personal data were replaced
    # (`privacy/services.py`): the request then only serves the figures.
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True, editable=False)
    # Optimistic locking: every write checks and bumps it.
    version = models.PositiveIntegerField(default=1, editable=False)
    # PostgreSQL full-text search (French); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="request_status_created"),
            models.Index(fields=["ddi", "-last_activity_at"], name="request_ddi_activity"),
            models.Index(fields=["assignee", "status"], name="request_assignee_status"),
            models.Index(fields=["status", "resolution_due"], name="request_status_due"),
            models.Index(fields=["status", "-last_activity_at"], name="request_status_activity"),
            models.Index(fields=["category", "-created_at"], name="request_category_created"),
            models.Index(fields=["programme", "-created_at"], name="request_programme_created"),
            models.Index(fields=["service_centre", "-created_at"], name="request_csp_created"),
            models.Index(fields=["priority", "-created_at"], name="request_priority_created"),
            # The queue's first page as the team opens it: the open requests, newest
            # first, read in order from the index and stopped after 50 rows.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="request_open_created",
            ),
            # The queue's due-date sorts over all requests, in either direction.
            models.Index(fields=["resolution_due", "id"], name="request_due"),
            # The queue's two priority sorts (`selectors/queue.py` `SORTS`), read in either
            # direction.
            models.Index(
                fields=["-priority_rank", "created_at", "id"], name="request_priority_rank"
            ),
            models.Index(fields=["axis", "-created_at"], name="request_axis_created"),
            # The dashboards count a period's requests per DDI from this index alone.
            models.Index(fields=["created_at", "ddi"], name="request_created_ddi"),
            # The dashboards' cache fingerprint reads the latest activity.
            models.Index(fields=["last_activity_at"], name="request_activity"),
            models.Index(fields=["resolved_at"], name="request_resolved"),
            # When a request stopped being open (dashboards' backlog, the queue's `open_on`).
            models.Index(Coalesce("resolved_at", "closed_at"), name="request_finished"),
            GinIndex(fields=["search_vector"], name="request_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference__regex=r"^ACC-[0-9]{4}-[0-9]{5}$"),
                name="request_reference_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("pk")),
                name="request_not_duplicate_of_itself",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def sla_state(self, now=None):
        """On time, approaching, breached or paused (`sla.SlaState`); None once finished."""
        return sla_state(self, now)

    def is_overdue(self, now=None) -> bool:
        return self.sla_state(now) == SlaState.BREACHED


def attachment_path(instance, filename):
    # Random names: the original name is kept in the database only.
    return f"pieces-jointes/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Message(models.Model):
    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("demande")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("auteur"),
    )
    kind = models.CharField(_("nature"), max_length=10, choices=MessageKind.choices)
    body = models.TextField(_("texte"))
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)
    merged_from = models.ForeignKey(
        SupportRequest,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("venu de la demande"),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="message_request_created")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.request.reference}"

    @property
    def is_internal(self) -> bool:
        return self.kind == MessageKind.INTERNAL


class Attachment(models.Model):
    """A file, stored outside the web root and served only after a permission check."""

    request = models.ForeignKey(
        SupportRequest,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("demande"),
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        related_name="attachments",
        null=True,
        blank=True,
        verbose_name=_("message"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("déposé par"),
    )
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    created_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    merged_from = models.ForeignKey(
        SupportRequest,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("venu de la demande"),
    )

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_internal(self) -> bool:
        return self.message_id is not None and self.message.kind == MessageKind.INTERNAL


class Event(models.Model):
    """One line of a request's audit timeline: who changed what, from → to, when."""

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("demande")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
        verbose_name=_("auteur"),
        help_text=_("Vide pour une action automatique."),
    )
    kind = models.CharField(_("nature"), max_length=20, choices=EventKind.choices)
    field = models.CharField(_("champ"), max_length=50, blank=True)
    old_value = models.CharField(_("avant"), max_length=255, blank=True)
    new_value = models.CharField(_("après"), max_length=255, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    # Shown to the DDI's agents; internal events are for the team only.
    is_public = models.BooleanField(_("visible par la DDI"), default=False)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    merged_from = models.ForeignKey(
        SupportRequest,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("venu de la demande"),
    )

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="event_request_created")]

    def __str__(self):
        return f"{self.request_id} {self.kind} {self.old_value} → {self.new_value}"
