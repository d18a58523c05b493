"""Reads of the ProConnect sign-ins waiting for an account."""

from .models import PendingSignIn, PendingSignInStatus

RECENTLY_OPENED_COUNT = 10


def pending_sign_ins():
    """Sign-ins waiting for the pilot, most recent first."""
    return PendingSignIn.objects.filter(status=PendingSignInStatus.PENDING).order_by(
        "-last_seen_at", "pk"
    )


def recently_opened_sign_ins():
    """The last accounts opened from a sign-in, with who opened them."""
    return (
        PendingSignIn.objects.filter(status=PendingSignInStatus.OPENED)
        .select_related("account__ddi__department", "opened_by")
        .order_by("-opened_at", "pk")[:RECENTLY_OPENED_COUNT]
    )
