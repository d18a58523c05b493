"""Administration of the reference data.

Every changelist owns its joins (`list_select_related`, annotations, prefetches): its query
count does not grow with the number of rows. `confidence` is shown and filterable everywhere,
so that an inferred fact is never taken for a sourced one.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from ddi.models import (
    DDI,
    Department,
    Ministry,
    Programme,
    ProgrammeUse,
    Region,
    ServiceCentre,
    ServiceCentreAttachment,
    Structure,
)

# The sources are long: a short text area keeps the forms and inlines readable.
_COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class SourcedAdmin(admin.ModelAdmin):
    formfield_overrides = _COMPACT_TEXT
    list_per_page = 100

    def ordered(self, queryset):
        """Keep the model's ordering, which Django drops from aggregating queries.

        The autocomplete views paginate `get_queryset()` and need it ordered.
        """
        return queryset.order_by(*self.model._meta.ordering)


@admin.register(Region)
class RegionAdmin(SourcedAdmin):
    list_display = ("name", "code", "department_count", "confidence")
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
    list_display = ("code", "name", "name_with_preposition", "region", "confidence")
    list_filter = ("region", "confidence")
    list_select_related = ("region",)
    search_fields = ("=code", "name")
    autocomplete_fields = ("region",)

    @admin.display(description=_("avec l'article"))
    def name_with_preposition(self, obj):
        return obj.name_with_preposition


@admin.register(Ministry)
class MinistryAdmin(SourcedAdmin):
    list_display = ("code", "name", "programme_count", "confidence")
    list_filter = ("confidence",)
    search_fields = ("code", "name")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return self.ordered(queryset.annotate(programme_count=Count("programmes")))

    @admin.display(description=_("programmes"), ordering="programme_count")
    def programme_count(self, obj):
        return obj.programme_count


@admin.register(Programme)
class ProgrammeAdmin(SourcedAdmin):
    list_display = ("code", "label", "ministry", "confidence")
    list_filter = ("ministry", "confidence")
    list_select_related = ("ministry",)
    search_fields = ("code", "label")
    autocomplete_fields = ("ministry",)


@admin.register(ProgrammeUse)
class ProgrammeUseAdmin(SourcedAdmin):
    list_display = ("ddi_kind", "programme", "confidence")
    list_filter = ("ddi_kind", "confidence", "programme__ministry")
    list_select_related = ("programme",)
    search_fields = ("ddi_kind", "programme__code", "programme__label")
    autocomplete_fields = ("programme",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(SourcedAdmin):
    list_display = (
        "name",
        "code",
        "ministry",
        "region",
        "programme_codes",
        "ddi_count",
        "email",
        "confidence",
    )
    list_filter = ("ministry", "region", "confidence")
    list_select_related = ("ministry", "region")
    search_fields = ("name", "code", "email", "contact_name")
    autocomplete_fields = ("ministry", "region", "programmes")

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(ddi_count=Count("attachments__ddi", distinct=True))
            .prefetch_related(Prefetch("programmes", queryset=Programme.objects.only("id", "code")))
        )
        return self.ordered(queryset)

    @admin.display(description=_("programmes"))
    def programme_codes(self, obj):
        return ", ".join(programme.code for programme in obj.programmes.all())

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
        "kind",
        "department",
        "region",
        "email",
        "attachment_count",
        "confidence",
    )
    list_filter = ("kind", "department__region", "confidence")
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

    @admin.display(description=_("région"), ordering="department__region__name")
    def region(self, obj):
        return obj.department.region

    @admin.display(description=_("rattachements"), ordering="attachment_count")
    def attachment_count(self, obj):
        return obj.attachment_count


@admin.register(ServiceCentreAttachment)
class ServiceCentreAttachmentAdmin(SourcedAdmin):
    list_display = ("ddi", "programme", "service_centre", "confidence")
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


@admin.register(Structure)
class StructureAdmin(SourcedAdmin):
    list_display = ("name", "code", "kind", "ministry", "confidence")
    list_filter = ("kind", "confidence")
    list_select_related = ("ministry",)
    search_fields = ("name", "code")
    autocomplete_fields = ("ministry",)
