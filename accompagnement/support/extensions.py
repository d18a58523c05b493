"""What other packages add to the support screens, registered when the app starts.

The team's panel on a request page and the shared queue show parts that belong to other
packages: the request's problem (and the forms that create one or attach the request to
one), the form that groups ticked requests into a problem, the partners' escalation and
redirection forms and the request's escalations. Those packages build on `support` (a
problem groups requests and answers them through support's services, an escalation sets
the request's status through them), so `support` cannot import them: each registers
here, from its own `extensions` module, a builder of what its part shows;
`AccompagnementConfig.ready()` imports those modules. Templates read each part under the
name it was registered with.

A package may also follow the request's status: `status_change_hook_register` adds a
callback that `support_request_transition` runs inside its transaction after every
status change (the partners close an open escalation when the request leaves
"escalated" any other way than by the partner's answer).
"""

from collections.abc import Callable

from accompagnement.support.models import SupportRequest

# name → builder(support_request) of what the team panel shows for that part.
_REQUEST_PANEL: dict[str, Callable[..., object]] = {}
# The parts whose builder also takes the form just posted (`bound`), to show its errors.
_TAKES_BOUND_FORM: set[str] = set()
# name → builder() of a context variable of the queue page.
_QUEUE: dict[str, Callable[[], object]] = {}
# callback(request, *, old_status, new_status, user) after each status change.
_STATUS_CHANGE: list[Callable[..., None]] = []


def request_panel_extension_register(
    name: str, build: Callable[..., object], *, takes_bound_form: bool = False
):
    """Add a part to the team panel of every request page (`team_panel.extensions.<name>`).

    With `takes_bound_form`, the builder is called as `build(support_request, bound)`:
    `bound` is the form a member just posted with errors (None otherwise), which the part
    shows in place of its blank form when it is one of its own.
    """
    _REQUEST_PANEL[name] = build
    if takes_bound_form:
        _TAKES_BOUND_FORM.add(name)
    else:
        _TAKES_BOUND_FORM.discard(name)


def queue_extension_register(name: str, build: Callable[[], object]):
    """Add a variable `<name>` to the context of the queue page."""
    _QUEUE[name] = build


def request_panel_extensions(support_request: SupportRequest, bound=None) -> dict[str, object]:
    return {
        name: build(support_request, bound) if name in _TAKES_BOUND_FORM else build(support_request)
        for name, build in _REQUEST_PANEL.items()
    }


def queue_extensions() -> dict[str, object]:
    return {name: build() for name, build in _QUEUE.items()}


def status_change_hook_register(callback: Callable[..., None]) -> None:
    """Run `callback(request, old_status=…, new_status=…, user=…)` after each status change,
    inside the change's transaction (an error undoes the change). Registered once."""
    if callback not in _STATUS_CHANGE:
        _STATUS_CHANGE.append(callback)


def status_change_hooks_run(request: SupportRequest, *, old_status: str, new_status: str, user):
    for callback in _STATUS_CHANGE:
        callback(request, old_status=old_status, new_status=new_status, user=user)
