from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accompagnement.accounts.models import Absence, PendingSignIn, TeamMember, User


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "first_name", "last_name", "role", "ddi")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


# Who reaches the admin and with which rights: granted by a superuser only.
TECHNICAL_RIGHTS = ("is_staff", "is_superuser", "groups", "user_permissions")


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

    def get_readonly_fields(self, request, obj=None):
        # The pilot manages accounts, not rights: read-only fields are left out of the
        # form, so whatever is posted for them is ignored.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += TECHNICAL_RIGHTS
        return readonly

    @staticmethod
    def _is_superuser_account(request, obj) -> bool:
        """A superuser's account, opened by someone who is not one."""
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    # Only a superuser sees, changes (password included: same check) or deletes a
    # superuser's account; anyone else gets a 403.
    def has_view_permission(self, request, obj=None):
        return not self._is_superuser_account(request, obj) and super().has_view_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return not self._is_superuser_account(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not self._is_superuser_account(request, obj) and super().has_delete_permission(
            request, obj
        )


class AbsenceInline(admin.TabularInline):
    """Also set in the portal (/equipe/absences/), by the member or the pilot."""

    model = Absence
    extra = 0
    fields = ["start", "end", "reason"]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    inlines = [AbsenceInline]
    list_display = ["user", "structure", "referent_ministry", "time_share"]
    list_filter = ["structure", "referent_ministry", "user__role"]
    list_select_related = ["user", "structure", "referent_ministry"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "structure__name"]
    autocomplete_fields = ["user", "structure", "referent_ministry", "referent_programmes"]


@admin.register(PendingSignIn)
class PendingSignInAdmin(admin.ModelAdmin):
    """Read-only: what ProConnect sent. Accounts are opened from /pilotage/connexions/."""

    list_display = ("email", "given_name", "usual_name", "siret", "status", "last_seen_at")
    list_filter = ("status",)
    search_fields = ("email", "usual_name", "siret")
    readonly_fields = [field.name for field in PendingSignIn._meta.fields]

    def has_add_permission(self, request):
        return False
