"""What django-axes counts sign-in failures by (`AXES_USERNAME_CALLABLE`): the e-mail
address as the sign-in matches it, whatever its case. Otherwise `a@x.fr`, `A@x.fr` and
`a@X.FR` would be three accounts for axes, each with its own failures, while the sign-in
opens the same account with any of them (`UserManager.get_by_natural_key`)."""

from django.conf import settings


def axes_username(request, credentials: dict | None = None) -> str | None:
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(value, str) or not value.strip():
        return None
    # Stored addresses are in lower case (accounts/models.py): a success resets these counts.
    return value.strip().lower()
