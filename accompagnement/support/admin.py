from django.contrib import admin

from accompagnement.support.models import Attachment, Event, Message, SavedFilter, SupportRequest


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
