"""The partners' parts of the support screens (see support/extensions.py): on a request
page, the escalation and redirection forms and the request's escalations
(`panel.py`); on every status change, the open escalation closed when the request leaves
"escalated" any other way than by the partner's answer."""

from accompagnement.partners.panel import partners_panel
from accompagnement.partners.services.escalations import escalations_withdraw
from accompagnement.support import extensions

extensions.request_panel_extension_register("partners", partners_panel, takes_bound_form=True)
extensions.status_change_hook_register(escalations_withdraw)
