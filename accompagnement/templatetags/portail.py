from django import template
from django.utils.html import format_html

from ..enums import PRIORITY_SHORT_LABELS, Priority, Status
from ..rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render user Markdown as sanitised HTML."""
    return render_markdown(text)


# A request's status and priority as DSFR badges. Tags rather than included templates:
# the queue shows two per row, and an include per cell cost a tenth of the page's time.
STATUS_BADGE_CLASSES = {
    Status.NEW: " fr-badge--new",
    Status.IN_PROGRESS: " fr-badge--info",
    Status.WAITING_DDI: " fr-badge--warning",
    Status.ESCALATED: " fr-badge--purple-glycine",
    Status.RESOLVED: " fr-badge--success",
}
PRIORITY_BADGE_CLASSES = {
    Priority.URGENT: " fr-badge--error",
    Priority.HIGH: " fr-badge--warning",
}


@register.simple_tag
def status_badge(support_request) -> str:
    return format_html(
        '<p class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</p>',
        STATUS_BADGE_CLASSES.get(support_request.status, ""),
        support_request.get_status_display(),
    )


@register.simple_tag
def priority_badge(priority: str) -> str:
    return format_html(
        '<p class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</p>',
        PRIORITY_BADGE_CLASSES.get(priority, ""),
        PRIORITY_SHORT_LABELS.get(priority, PRIORITY_SHORT_LABELS[Priority.NORMAL]),
    )
