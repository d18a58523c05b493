"""Queueing Celery tasks from the services, by name.

Tasks are thin: they call services. Services that queue work name the task rather than
import it, so that a package's `services` and `tasks` never import each other. Every
task is registered when the app is ready (`AccompagnementConfig.ready` imports
`accompagnement.tasks`), so the lookup below finds it in every process, and the task's
own settings (eager mode in tests, retries) apply as with `task.delay()`.
"""

from celery import current_app
from celery.result import AsyncResult


def queue_task(name: str, *args, **kwargs) -> AsyncResult:
    """Queue the task registered as `name` with these arguments (like `task.delay`).

    Raises what the broker raises when it is down: callers decide what waits for the
    periodic sweep."""
    return current_app.tasks[name].delay(*args, **kwargs)
