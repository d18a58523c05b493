from django.contrib import admin

from accompagnement.accounts.models import Role, User
from accompagnement.support.models import Attachment, Event, Message, SupportRequest
from accompagnement.support.team_models import RoutingRule, SavedFilter, TeamSettings


class MessageInline(admin.TabularInline):
    model = Message
    fk_name = "request"
    extra = 0
    fields = ["created_at", "author", "kind", "body"]
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = Event
    fk_name = "request"
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


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__email"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Also edited by the pilot at /equipe/regles/, with the automatic assignment switch."""

    list_display = ["position", "name", "is_active", "axis", "category", "programme", "ddi_kind"]
    list_display_links = ["name"]
    list_filter = ["is_active", "axis"]
    list_select_related = ["category", "programme"]
    search_fields = ["name"]
    ordering = ["position", "pk"]
    autocomplete_fields = ["category", "programme"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Requests go to active members and the pilot only.
        if db_field.name == "members":
            kwargs["queryset"] = User.objects.filter(
                role__in=(Role.MEMBER, Role.PILOT), is_active=True
            ).order_by("last_name", "first_name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(TeamSettings)
class TeamSettingsAdmin(admin.ModelAdmin):
    """One row (`TeamSettings.current()`): changed, never added twice nor deleted."""

    list_display = ["__str__", "auto_assign"]

    def has_add_permission(self, request):
        return not TeamSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
