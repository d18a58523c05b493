from .support import (
    Attachment,
    Category,
    Event,
    Message,
    Notification,
    ReferenceCounter,
    SavedFilter,
    SupportRequest,
)
from .users import TeamMember, User, UserManager

__all__ = [
    "Attachment",
    "Category",
    "Event",
    "Message",
    "Notification",
    "ReferenceCounter",
    "SavedFilter",
    "SupportRequest",
    "TeamMember",
    "User",
    "UserManager",
]
