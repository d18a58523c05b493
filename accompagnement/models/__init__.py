from .campaigns import (
    Acknowledgement,
    CalendarToken,
    Campaign,
    CampaignKind,
    Milestone,
    ReminderDelivery,
)
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
    "Acknowledgement",
    "Attachment",
    "CalendarToken",
    "Campaign",
    "CampaignKind",
    "Category",
    "Event",
    "Message",
    "Milestone",
    "Notification",
    "ReferenceCounter",
    "ReminderDelivery",
    "SavedFilter",
    "SupportRequest",
    "TeamMember",
    "User",
    "UserManager",
]
