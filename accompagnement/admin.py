from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.translation import gettext_lazy as _
from dsfr.models import DsfrConfig

from .form_fields import ddi_kinds_field
from .models import (
    Acknowledgement,
    Article,
    Attachment,
    CalendarToken,
    Campaign,
    Category,
    Diagnostic,
    Event,
    Experiment,
    Feedback,
    Intervention,
    Message,
    Milestone,
    Notification,
    PendingSignIn,
    Problem,
    ProblemAnswer,
    Recommendation,
    Registration,
    ReminderDelivery,
    SavedFilter,
    Study,
    StudyPhase,
    SupportRequest,
    TeamMember,
    User,
)
from .services.articles import article_update_search

admin.site.site_header = _("Accompagnement Chorus — administration")
admin.site.site_title = _("Accompagnement Chorus")
admin.site.index_title = _("Données de référence et comptes")


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "first_name", "last_name", "role", "ddi")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class TeamMemberInline(admin.StackedInline):
    model = TeamMember
    can_delete = False
    extra = 0
    autocomplete_fields = ["structure", "referent_ministry", "referent_programmes"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [TeamMemberInline]
    ordering = ["last_name", "first_name"]
    list_display = ["email", "last_name", "first_name", "role", "ddi", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "ddi__kind", "ddi__department__region"]
    list_select_related = ["ddi", "ddi__department"]
    search_fields = ["email", "first_name", "last_name", "ddi__name", "ddi__department__name"]
    autocomplete_fields = ["ddi"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone")}),
        (_("Rôle"), {"fields": ("role", "ddi")}),
        (
            _("Droits techniques"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "ddi",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_inlines(self, request, obj):
        # A profile only makes sense for the team.
        if obj is None or obj.is_agent:
            return []
        return super().get_inlines(request, obj)


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "structure", "referent_ministry", "time_share"]
    list_filter = ["structure", "referent_ministry", "user__role"]
    list_select_related = ["user", "structure", "referent_ministry"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "structure__name"]
    autocomplete_fields = ["user", "structure", "referent_ministry", "referent_programmes"]


# The site identity lives in the settings (no database query per page), so
# django-dsfr's own configuration model has nothing to edit here.
if admin.site.is_registered(DsfrConfig):
    admin.site.unregister(DsfrConfig)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "axis", "code", "position", "is_active"]
    list_filter = ["axis", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "code", "description"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "author", "kind", "body"]
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ["created_at", "actor", "kind", "field", "old_value", "new_value", "is_public"]
    readonly_fields = fields
    can_delete = False


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    """Read-mostly: the workflow lives in the portal, where every change is audited."""

    list_display = ["reference", "title", "ddi", "status", "priority", "assignee", "created_at"]
    list_filter = ["status", "priority", "axis", "ddi__kind", "ddi__department__region"]
    list_select_related = ["ddi", "ddi__department", "assignee"]
    search_fields = ["reference", "title", "ddi__name"]
    date_hierarchy = "created_at"
    inlines = [MessageInline, EventInline]
    readonly_fields = [f.name for f in SupportRequest._meta.fields if f.name != "id"]
    autocomplete_fields = ["followers", "related"]

    def has_add_permission(self, request):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "request", "content_type", "size", "uploaded_by", "created_at"]
    list_select_related = ["request", "uploaded_by"]
    search_fields = ["original_name", "request__reference"]
    readonly_fields = ["file", "request", "message", "uploaded_by", "content_type", "size"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "request", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["recipient", "request"]
    search_fields = ["recipient__email", "request__reference", "key"]
    readonly_fields = ["key", "recipient", "request", "message", "context"]


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__email"]


# ---------------------------------------------------------------------------- campaigns


class MilestoneAdminForm(forms.ModelForm):
    ddi_kinds = ddi_kinds_field(_("types de DDI visés"))
    reminder_offsets = SimpleArrayField(
        forms.IntegerField(min_value=0, max_value=365),
        label=_("rappels (jours avant l'échéance)"),
        required=False,
        help_text=_("Séparés par des virgules, par exemple 15,7,1,0 (0 : le jour même)."),
    )

    class Meta:
        model = Milestone
        fields = [
            "campaign",
            "code",
            "title",
            "explanation",
            "due_date",
            "date_note",
            "confidence",
            "source",
            "ddi_kinds",
            "programmes",
            "service_centres",
            "needs_acknowledgement",
            "reminder_offsets",
        ]
        widgets = {"source": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def clean_reminder_offsets(self):
        return sorted(set(self.cleaned_data["reminder_offsets"]), reverse=True)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["due_date", "title", "confidence", "needs_acknowledgement"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "fiscal_year", "kind"]
    list_filter = ["kind", "fiscal_year"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    """The pilot confirms or corrects the seeded dates here (see services.campaigns)."""

    form = MilestoneAdminForm
    list_display = ["title", "campaign", "due_date", "confidence", "needs_acknowledgement"]
    list_filter = ["campaign", "confidence", "needs_acknowledgement"]
    list_select_related = ["campaign"]
    search_fields = ["title", "code", "explanation"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["programmes", "service_centres"]
    fieldsets = (
        (None, {"fields": ("campaign", "code", "title", "explanation")}),
        (_("Échéance"), {"fields": ("due_date", "date_note", "confidence", "source")}),
        (_("DDI visées"), {"fields": ("ddi_kinds", "programmes", "service_centres")}),
        (_("Suivi"), {"fields": ("needs_acknowledgement", "reminder_offsets")}),
    )


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    """Made by the DDIs in the portal; a mistaken one may be deleted here."""

    list_display = ["milestone", "ddi", "acknowledged_by", "acknowledged_at"]
    list_filter = ["milestone__campaign", "ddi__kind"]
    list_select_related = ["milestone", "ddi__department", "acknowledged_by"]
    search_fields = ["milestone__title", "ddi__name", "acknowledged_by__email"]
    readonly_fields = ["milestone", "ddi", "acknowledged_by", "acknowledged_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    """Read-only: the reminder job writes it; deleting a row would allow a second e-mail."""

    list_display = ["milestone", "recipient", "offset_days", "notification", "created_at"]
    list_filter = ["offset_days", "milestone__campaign"]
    list_select_related = ["milestone", "recipient", "notification"]
    search_fields = ["milestone__title", "recipient__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """The secret itself is never shown; deleting a row revokes the person's feed URL."""

    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__last_name"]
    fields = ["user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


# ---------------------------------------------------------------------------- knowledge base


class ArticleAdminForm(forms.ModelForm):
    ddi_kinds = ddi_kinds_field(_("types de DDI concernés"))

    class Meta:
        model = Article
        fields = [
            "kind",
            "title",
            "slug",
            "summary",
            "body",
            "axis",
            "categories",
            "programmes",
            "ddi_kinds",
            "status",
            "author",
            "reviewed_on",
        ]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles are written at /ressources/; the admin is for corrections."""

    form = ArticleAdminForm
    list_display = ["title", "kind", "axis", "status", "author", "updated_at"]
    list_filter = ["status", "kind", "axis"]
    list_select_related = ["author"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["categories", "programmes"]
    raw_id_fields = ["author"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article_update_search(form.instance)


# ---------------------------------------------------------------------------- problems


class ProblemAnswerInline(admin.StackedInline):
    model = ProblemAnswer
    extra = 0
    fields = ("author", "body", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    """Read-mostly: problems are grouped, answered and resolved at /equipe/problemes/, where
    every request they touch gets its reply, event and e-mail."""

    list_display = ["title", "status", "category", "programme", "created_by", "created_at"]
    list_filter = ["status", "category__axis"]
    list_select_related = ["category", "programme", "created_by"]
    search_fields = ["title", "description"]
    date_hierarchy = "created_at"
    fields = [
        "title",
        "description",
        "category",
        "programme",
        "status",
        "created_by",
        "created_at",
        "resolved_at",
        "article",
    ]
    readonly_fields = [
        "category",
        "programme",
        "status",
        "created_by",
        "created_at",
        "resolved_at",
        "article",
    ]
    inlines = [ProblemAnswerInline]

    def has_add_permission(self, request):
        return False


# ---------------------------------------------------------------------------- study


class StudyPhaseInline(admin.TabularInline):
    model = StudyPhase
    extra = 0
    fields = ("kind", "title", "start_date", "end_date", "date_note", "confidence", "source")


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "visible_to_agents")
    inlines = [StudyPhaseInline]


@admin.register(Diagnostic)
class DiagnosticAdmin(admin.ModelAdmin):
    list_display = ("ddi", "study", "status", "start_date", "end_date")
    list_filter = ("study", "status", "ddi__kind")
    list_select_related = ("study", "ddi__department")
    autocomplete_fields = ("ddi",)


class ExperimentInline(admin.TabularInline):
    model = Experiment
    extra = 0
    autocomplete_fields = ("ddi",)


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("title", "study", "axis", "status")
    list_filter = ("study", "axis", "status")
    inlines = [ExperimentInline]


@admin.register(PendingSignIn)
class PendingSignInAdmin(admin.ModelAdmin):
    """Read-only: what ProConnect sent. Accounts are opened from /pilotage/connexions/."""

    list_display = ("email", "given_name", "usual_name", "siret", "status", "last_seen_at")
    list_filter = ("status",)
    search_fields = ("email", "usual_name", "siret")
    readonly_fields = [field.name for field in PendingSignIn._meta.fields]

    def has_add_permission(self, request):
        return False


# ---------------------------------------------------------------------------- interventions


class InterventionAdminForm(forms.ModelForm):
    ddi_kinds = ddi_kinds_field(_("types de DDI visés"))
    link = forms.URLField(label=_("lien de connexion"), required=False, assume_scheme="https")

    class Meta:
        model = Intervention
        fields = [
            "title",
            "description",
            "axis",
            "topics",
            "format",
            "department",
            "region",
            "place",
            "link",
            "starts_at",
            "duration_minutes",
            "capacity",
            "registration_closes_at",
            "status",
            "speakers",
            "ddi_kinds",
            "regions",
            "programmes",
            "articles",
            "created_by",
        ]


class RegistrationInline(admin.TabularInline):
    """Read-only: registrations go through the site, which keeps capacity and the waiting
    list consistent and sends the e-mails."""

    model = Registration
    extra = 0
    can_delete = False
    fields = ("person", "ddi", "waiting_rank", "created_at", "cancelled_at", "attended")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    form = InterventionAdminForm
    list_display = ("title", "starts_at", "format", "status", "capacity")
    list_filter = ("status", "format", "axis")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    filter_horizontal = ("topics", "speakers", "regions", "programmes", "articles")
    readonly_fields = ("schedule_version", "created_at")
    inlines = [RegistrationInline]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("registration", "score", "created_at")
    list_filter = ("score",)
    list_select_related = ("registration__intervention",)
    readonly_fields = ("registration", "score", "comment", "created_at")

    def has_add_permission(self, request):
        return False
