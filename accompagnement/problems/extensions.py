"""The problems' parts of the support screens (see support/extensions.py): on a request
page, the request's problem or the forms to create one from it or attach it to one; on
the queue, the form that groups the ticked requests into a problem."""

from dataclasses import dataclass

from accompagnement.problems import selectors
from accompagnement.problems.forms import (
    AttachToProblemForm,
    ProblemFromQueueForm,
    ProblemFromRequestForm,
)
from accompagnement.problems.models import Problem
from accompagnement.support import extensions
from accompagnement.support.models import SupportRequest


@dataclass
class ProblemPanel:
    """The request's problem, or the forms to create one from it or attach it to one."""

    problem: Problem | None
    create_form: ProblemFromRequestForm | None = None
    attach_form: AttachToProblemForm | None = None


def problem_panel(support_request: SupportRequest) -> ProblemPanel:
    problem = selectors.problem_of_request(support_request)
    if problem is not None or support_request.anonymised_at is not None:
        return ProblemPanel(problem=problem)
    choices = selectors.open_problems_choices()
    return ProblemPanel(
        problem=None,
        create_form=ProblemFromRequestForm(),
        attach_form=AttachToProblemForm(problems=choices) if choices else None,
    )


extensions.request_panel_extension_register("problem", problem_panel)
extensions.queue_extension_register("problem_form", ProblemFromQueueForm)
