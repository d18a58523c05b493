"""The portal's template tags (`{% load portail %}`): cached fragments, Markdown, and a
request's status, priority and SLA badges."""

from django import template
from django.utils.html import format_html

from accompagnement.core.fragments import cached_render
from accompagnement.core.markdown import render_markdown
from accompagnement.support.enums import PRIORITY_SHORT_LABELS, Priority, Status
from accompagnement.support.sla import SlaState

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, name, key):
        self.nodelist, self.name, self.key = nodelist, name, key

    def render(self, context):
        return cached_render(
            self.name.resolve(context),
            self.key.resolve(context),
            lambda: self.nodelist.render(context),
        )


@register.tag
def cached_fragment(parser, token):
    """`{% cached_fragment "name" key %}…{% endcached_fragment %}`: the block's HTML kept
    in the cache under `key`, a digest of everything it shows (core/fragments.py)."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name and a key.")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2])
    )


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
        # The enumeration's label: `get_status_display()` rebuilds a dict of every
        # status at each call.
        Status(support_request.status).label,
    )


@register.simple_tag
def priority_badge(priority: str) -> str:
    return format_html(
        '<p class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</p>',
        PRIORITY_BADGE_CLASSES.get(priority, ""),
        PRIORITY_SHORT_LABELS.get(priority, PRIORITY_SHORT_LABELS[Priority.NORMAL]),
    )


SLA_BADGE_CLASSES = {
    SlaState.ON_TIME: " fr-badge--success",
    SlaState.APPROACHING: " fr-badge--warning",
    SlaState.BREACHED: " fr-badge--error",
    SlaState.PAUSED: " fr-badge--no-icon",
}


@register.simple_tag
def sla_badge(support_request, now=None) -> str:
    """The state of the team's clock (`sla.sla_state`), read from the row's own fields;
    nothing for a finished request."""
    state = support_request.sla_state(now)
    if state is None:
        return ""
    return format_html(
        '<p class="fr-badge fr-badge--sm{}">{}</p>',
        SLA_BADGE_CLASSES[state],
        SlaState(state).label,
    )
