from django import forms
from django.contrib import admin
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.translation import gettext_lazy as _

from accompagnement.campaigns.models import (
    Acknowledgement,
    CalendarToken,
    Campaign,
    Milestone,
    ReminderDelivery,
)
from accompagnement.core.forms import ddi_kinds_field

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
    """The pilot confirms or corrects the seeded dates here (see services.py)."""

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
