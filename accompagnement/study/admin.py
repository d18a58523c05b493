from django.contrib import admin

from accompagnement.study.models import Diagnostic, Experiment, Recommendation, Study, StudyPhase

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


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    """Also inline under its recommendation; its own page shows its history (who changed
    what, written by the study's services)."""

    list_display = ("ddi", "recommendation", "status", "start_date", "end_date")
    list_filter = ("recommendation__study", "status", "ddi__kind")
    list_select_related = ("recommendation", "ddi__department")
    autocomplete_fields = ("ddi",)
