"""The partners in the admin: the directory (also edited at `/equipe/partenaires/`), the
escalations (read only: the portal records them), the partners' support actions and the
pilot's follow-ups. Confidence and source are shown as for the reference data, so that a
seeded partner's typical commitment is never taken for a promise."""

from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import ddi_kinds_field
from accompagnement.partners.models import (
    Escalation,
    FollowUpNote,
    Partner,
    PartnerContact,
    SupportAction,
)
from accompagnement.partners.wording import chorus_objects_text, commitment_text
from accompagnement.support.enums import ChorusObject
from ddi.admin import SourcedAdmin
from ddi.models import Ministry, Region

_EXCERPT_CHARS = 80


class PartnerAdminForm(forms.ModelForm):
    chorus_objects = forms.MultipleChoiceField(
        label=_("objets Chorus"),
        choices=ChorusObject.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les objets."),
    )
    website = forms.URLField(label=_("site ou intranet"), required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = [
            "code",
            "name",
            "kind",
            "active",
            "service_centre",
            "ministries",
            "programmes",
            "chorus_objects",
            "regions",
            "departments",
            "mailbox",
            "phone",
            "website",
            "response_hours",
            "reminder_max",
            "notes",
            "source",
            "confidence",
        ]


class PartnerContactInline(admin.TabularInline):
    model = PartnerContact
    fields = ("position", "name", "role", "email", "phone")
    extra = 1


@admin.register(Partner)
class PartnerAdmin(SourcedAdmin):
    """Also edited by the pilot at /equipe/partenaires/ (with the contacts)."""

    form = PartnerAdminForm
    list_display = (
        "name",
        "kind",
        "ministry_codes",
        "region_names",
        "chorus_object_names",
        "mailbox",
        "commitment",
        "active",
        "confidence_badge",
        "source_excerpt",
    )
    list_filter = ("kind", "confidence", "active", "ministries", "regions")
    list_select_related = ("service_centre",)
    search_fields = ("name", "code", "mailbox", "contacts__name", "contacts__email")
    autocomplete_fields = ("ministries", "service_centre", "programmes", "regions", "departments")
    readonly_fields = ("updated_at",)
    inlines = (PartnerContactInline,)
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "active", "service_centre")}),
        (
            _("Périmètre"),
            {"fields": ("ministries", "programmes", "chorus_objects", "regions", "departments")},
        ),
        (_("Joindre le partenaire"), {"fields": ("mailbox", "phone", "website")}),
        (_("Engagement"), {"fields": ("response_hours", "reminder_max", "notes")}),
        (_("Origine de la fiche"), {"fields": ("source", "confidence", "updated_at")}),
    )

    def get_queryset(self, request):
        return self.ordered(
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("ministries", queryset=Ministry.objects.only("id", "code")),
                Prefetch("regions", queryset=Region.objects.only("id", "name")),
            )
        )

    @admin.display(description=_("ministères"))
    def ministry_codes(self, obj):
        return ", ".join(m.code for m in obj.ministries.all()) or "—"

    @admin.display(description=_("régions"))
    def region_names(self, obj):
        return ", ".join(r.name for r in obj.regions.all()) or _("national")

    @admin.display(description=_("répond en"), ordering="response_hours")
    def commitment(self, obj):
        return commitment_text(obj.response_hours)

    @admin.display(description=_("objets Chorus"))
    def chorus_object_names(self, obj):
        return chorus_objects_text(obj.chorus_objects)


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    """Read only: escalating, the partner's ticket and the answer are recorded in the portal."""

    list_display = (
        "request",
        "partner",
        "sent_at",
        "expected_at",
        "answered_at",
        "partner_reference",
        "reminders_sent",
    )
    list_filter = ("partner__kind", "answered_via", "partner")
    list_select_related = ("request", "partner")
    search_fields = ("request__reference", "partner__name", "partner_reference")
    date_hierarchy = "sent_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Escalation._meta.fields if f.name != "id"] + ["attachments"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SupportActionAdminForm(forms.ModelForm):
    ddi_kinds = ddi_kinds_field(_("types de DDI visés"))

    class Meta:
        model = SupportAction
        fields = [
            "owner",
            "title",
            "description",
            "kind",
            "axis",
            "starts_on",
            "ends_on",
            "status",
            "ddi_kinds",
            "regions",
            "departments",
            "programmes",
            "external_id",
        ]


@admin.register(SupportAction)
class SupportActionAdmin(admin.ModelAdmin):
    """Also recorded and imported at /pilotage/actions/."""

    form = SupportActionAdminForm
    list_display = ("title", "owner", "kind", "axis", "starts_on", "ends_on", "status")
    list_filter = ("status", "kind", "axis", "owner__kind", "owner")
    list_select_related = ("owner",)
    search_fields = ("title", "description", "owner__name", "external_id")
    autocomplete_fields = ("owner", "regions", "departments", "programmes")
    readonly_fields = ("created_by", "created_at", "updated_at")
    date_hierarchy = "starts_on"


@admin.register(FollowUpNote)
class FollowUpNoteAdmin(admin.ModelAdmin):
    """Also written and marked done at /pilotage/actions/relances/."""

    list_display = ("partner", "text_excerpt", "axis", "due_on", "done_at", "created_by")
    list_filter = ("axis", ("done_at", admin.EmptyFieldListFilter), "partner__kind")
    list_select_related = ("partner", "created_by")
    search_fields = ("text", "partner__name")
    autocomplete_fields = ("partner",)
    readonly_fields = ("created_by", "created_at", "reminded_at")

    @admin.display(description=_("objet de la relance"))
    def text_excerpt(self, obj):
        return Truncator(obj.text).chars(_EXCERPT_CHARS)
