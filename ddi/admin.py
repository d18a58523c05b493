"""Administration of the reference data.

Every changelist owns its joins (`list_select_related`, annotations, prefetches): its query
count does not grow with the number of rows. `confidence` is shown (as a badge: « Sourcé »,
« Probable », « Typique, à confirmer », « Déduit, à confirmer ») and filterable everywhere,
so that an inferred fact is never taken for a sourced one; the lists of CSP and of programme
exceptions also show the start of their source (« aucune source : … »).
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Prefetch
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ddi.models import (
    DDI,
    Department,
    Ministry,
    Programme,
    ProgrammeException,
    ProgrammeUse,
    Region,
    ServiceCentre,
    ServiceCentreAttachment,
    Structure,
)

# The sources are long: a short text area keeps the forms and inlines readable.
_COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


# How much of a source a changelist shows (the whole of it is on the object's page).
_SOURCE_EXCERPT_CHARS = 90


class SourcedAdmin(admin.ModelAdmin):
    formfield_overrides = _COMPACT_TEXT
    list_per_page = 100

    class Media:
        css = {"all": ["ddi/admin.css"]}

    @admin.display(description=_("fiabilité"), ordering="confidence")
    def confidence_badge(self, obj):
        """ "Sourcé", "Probable", "Typique, à confirmer", "Déduit, à confirmer", coloured."""
        return format_html(
            '<span class="ddi-confidence ddi-confidence--{}">{}</span>',
            obj.confidence,
            obj.get_confidence_display(),
        )

    @admin.display(description=_("source"))
    def source_excerpt(self, obj):
        return format_html(
            '<span class="ddi-source" title="{}">{}</span>',
            obj.source,
            Truncator(obj.source).chars(_SOURCE_EXCERPT_CHARS),
        )

    def ordered(self, queryset):
        """Keep the model's ordering, which Django drops from aggregating queries.

        The autocomplete views paginate `get_queryset()` and need it ordered.
        """
        return queryset.order_by(*self.model._meta.ordering)


@admin.register(Region)
class RegionAdmin(SourcedAdmin):
    list_display = ("name", "code", "department_count", "confidence_badge")
    list_filter = ("confidence",)
    search_fields = ("name", "=code")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return self.ordered(queryset.annotate(department_count=Count("departments")))

    @admin.display(description=_("départements"), ordering="department_count")
    def department_count(self, obj):
        return obj.department_count


@admin.register(Department)
class DepartmentAdmin(SourcedAdmin):
    list_display = ("code", "name", "name_with_preposition", "region", "confidence_badge")
    list_filter = ("region", "confidence")
    list_select_related = ("region",)
    search_fields = ("=code", "name")
    autocomplete_fields = ("region",)

    @admin.display(description=_("avec l'article"))
    def name_with_preposition(self, obj):
        return obj.name_with_preposition


@admin.register(Ministry)
class MinistryAdmin(SourcedAdmin):
    list_display = ("code", "name", "programme_count", "confidence_badge")
    list_filter = ("confidence",)
    search_fields = ("code", "name")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return self.ordered(queryset.annotate(programme_count=Count("programmes")))

    @admin.display(description=_("programmes"), ordering="programme_count")
    def programme_count(self, obj):
        return obj.programme_count


class ProgrammeExceptionInline(admin.TabularInline):
    """On a programme's page: the departments where another service runs it."""

    model = ProgrammeException
    fields = ("department", "handled_by", "ddi_attached", "confidence", "source")
    formfield_overrides = _COMPACT_TEXT
    autocomplete_fields = ("department",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "programme")


@admin.register(Programme)
class ProgrammeAdmin(SourcedAdmin):
    list_display = ("code", "label", "ministry", "confidence_badge")
    list_filter = ("confidence", "ministry")
    list_select_related = ("ministry",)
    search_fields = ("code", "label")
    autocomplete_fields = ("ministry",)
    inlines = (ProgrammeExceptionInline,)


@admin.register(ProgrammeException)
class ProgrammeExceptionAdmin(SourcedAdmin):
    """Programme 177 in Île-de-France: the DRIHL, not the DDCS, in Paris and the petite
    couronne (no DDI attached to a CSP for it there)."""

    list_display = (
        "department",
        "programme_code",
        "attached",
        "confidence_badge",
        "handled_by_excerpt",
        "source_excerpt",
    )
    list_filter = (
        "confidence",
        "ddi_attached",
        ("programme", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("programme", "department")
    search_fields = ("=department__code", "department__name", "=programme__code", "handled_by")
    autocomplete_fields = ("department", "programme")

    @admin.display(description=_("DDI rattachée"), boolean=True, ordering="ddi_attached")
    def attached(self, obj):
        return obj.ddi_attached

    @admin.display(description=_("programme"), ordering="programme__code")
    def programme_code(self, obj):
        return f"P{obj.programme.code}"

    @admin.display(description=_("service qui le traite"), ordering="handled_by")
    def handled_by_excerpt(self, obj):
        return Truncator(obj.handled_by).chars(_SOURCE_EXCERPT_CHARS)


@admin.register(ProgrammeUse)
class ProgrammeUseAdmin(SourcedAdmin):
    list_display = ("ddi_kind", "programme", "confidence_badge")
    list_filter = ("ddi_kind", "confidence", "programme__ministry")
    list_select_related = ("programme",)
    search_fields = ("ddi_kind", "programme__code", "programme__label")
    autocomplete_fields = ("programme",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(SourcedAdmin):
    # The confidence and the source first: they are what the list is read for (the code is
    # on the page and searchable).
    list_display = (
        "name",
        "confidence_badge",
        "source_excerpt",
        "ministry",
        "joint_ministry_codes",
        "region",
        "programme_codes",
        "ddi_count",
        "email",
    )
    list_filter = ("confidence", "ministry", "joint_ministries", "region")
    list_select_related = ("ministry", "region")
    search_fields = ("name", "code", "email", "contact_name")
    autocomplete_fields = ("ministry", "joint_ministries", "region", "programmes")

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(ddi_count=Count("attachments__ddi", distinct=True))
            .prefetch_related(
                Prefetch("programmes", queryset=Programme.objects.only("id", "code")),
                Prefetch("joint_ministries", queryset=Ministry.objects.only("id", "code")),
            )
        )
        return self.ordered(queryset)

    @admin.display(description=_("programmes"))
    def programme_codes(self, obj):
        return ", ".join(programme.code for programme in obj.programmes.all())

    @admin.display(description=_("ministères associés"))
    def joint_ministry_codes(self, obj):
        return ", ".join(ministry.code for ministry in obj.joint_ministries.all())

    @admin.display(description=_("DDI rattachées"), ordering="ddi_count")
    def ddi_count(self, obj):
        return obj.ddi_count


class ServiceCentreAttachmentInline(admin.TabularInline):
    model = ServiceCentreAttachment
    fields = ("programme", "service_centre", "confidence", "source")
    formfield_overrides = _COMPACT_TEXT
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("ddi__department", "programme", "service_centre")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # Read once for every row: a select (or an autocomplete) of an inline row would
        # otherwise query its options row by row.
        field.choices = list(field.choices)
        return field


@admin.register(DDI)
class DDIAdmin(SourcedAdmin):
    list_display = (
        "__str__",
        "confidence_badge",
        "kind_code",
        "department",
        "region",
        "attachment_count",
        "email",
    )
    list_filter = ("confidence", "kind", "department__region")
    list_select_related = ("department__region",)
    search_fields = ("kind", "=department__code", "department__name", "name", "email")
    autocomplete_fields = ("department",)
    inlines = (ServiceCentreAttachmentInline,)

    def get_queryset(self, request):
        # Also read by the autocomplete of other admins (users, attachments), which shows
        # `str(ddi)`; a changelist skips `list_select_related` once this is set.
        queryset = (
            super()
            .get_queryset(request)
            .select_related("department__region")
            .annotate(attachment_count=Count("attachments"))
        )
        return self.ordered(queryset)

    @admin.display(description=_("type"), ordering="kind")
    def kind_code(self, obj):
        # The code: the full label ("DDCSPP — direction départementale…") is in the filter.
        return obj.kind

    @admin.display(description=_("région"), ordering="department__region__name")
    def region(self, obj):
        return obj.department.region

    @admin.display(description=_("rattachements"), ordering="attachment_count")
    def attachment_count(self, obj):
        return obj.attachment_count


@admin.register(ServiceCentreAttachment)
class ServiceCentreAttachmentAdmin(SourcedAdmin):
    list_display = ("ddi", "confidence_badge", "programme_code", "service_centre")
    list_filter = (
        "confidence",
        "ddi__kind",
        "ddi__department__region",
        "service_centre__ministry",
        "programme",
    )
    list_select_related = ("ddi__department", "programme", "service_centre")
    search_fields = (
        "=ddi__department__code",
        "ddi__department__name",
        "ddi__kind",
        "=programme__code",
        "service_centre__name",
    )
    autocomplete_fields = ("ddi", "programme", "service_centre")

    @admin.display(description=_("programme"), ordering="programme__code")
    def programme_code(self, obj):
        return f"P{obj.programme.code}"


@admin.register(Structure)
class StructureAdmin(SourcedAdmin):
    list_display = ("name", "code", "kind", "ministry", "confidence_badge")
    list_filter = ("kind", "confidence")
    list_select_related = ("ministry",)
    search_fields = ("name", "code")
    autocomplete_fields = ("ministry",)
