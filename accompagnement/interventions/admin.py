from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import ddi_kinds_field
from accompagnement.interventions.models import Feedback, Intervention, Registration

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
