"""Every model of the app, imported from its package: Django imports this module when the
app loads, so every model registers under the one app label the migrations know."""

from accompagnement.accounts.models import (
    Absence,
    PendingSignIn,
    PendingSignInStatus,
    TeamMember,
    User,
    UserManager,
)
from accompagnement.alerts.models import Alert
from accompagnement.axes.models import Category
from accompagnement.campaigns.models import (
    Acknowledgement,
    CalendarToken,
    Campaign,
    CampaignKind,
    Milestone,
    ReminderDelivery,
)
from accompagnement.interventions.models import (
    Feedback,
    Intervention,
    InterventionFormat,
    InterventionStatus,
    Registration,
)
from accompagnement.knowledge.models import Article, ArticleKind, ArticleStatus, SuggestionFollow
from accompagnement.outbox.models import Notification
from accompagnement.partners.models import (
    Escalation,
    FollowUpNote,
    Partner,
    PartnerContact,
    SupportAction,
)
from accompagnement.problems.models import (
    Problem,
    ProblemAnswer,
    ProblemAnswerDelivery,
    ProblemStatus,
)
from accompagnement.study.models import (
    Diagnostic,
    DiagnosticStatus,
    Experiment,
    ExperimentStatus,
    PhaseStatus,
    Recommendation,
    RecommendationStatus,
    Study,
    StudyPhase,
    StudyPhaseKind,
)
from accompagnement.support.models import (
    Attachment,
    Event,
    Message,
    ReferenceCounter,
    SupportRequest,
)
from accompagnement.support.team_models import (
    CannedResponse,
    RoutingRule,
    SavedFilter,
    TeamSettings,
)

__all__ = [
    "Escalation",
    "FollowUpNote",
    "Partner",
    "PartnerContact",
    "SupportAction",
    "TeamSettings",
    "RoutingRule",
    "CannedResponse",
    "Alert",
    "Absence",
    "Acknowledgement",
    "Article",
    "ArticleKind",
    "ArticleStatus",
    "Attachment",
    "CalendarToken",
    "Campaign",
    "CampaignKind",
    "Category",
    "Diagnostic",
    "DiagnosticStatus",
    "Event",
    "Experiment",
    "Feedback",
    "ExperimentStatus",
    "Intervention",
    "InterventionFormat",
    "InterventionStatus",
    "Message",
    "Milestone",
    "Notification",
    "PendingSignIn",
    "PendingSignInStatus",
    "PhaseStatus",
    "Problem",
    "ProblemAnswer",
    "ProblemAnswerDelivery",
    "ProblemStatus",
    "Recommendation",
    "RecommendationStatus",
    "ReferenceCounter",
    "Registration",
    "ReminderDelivery",
    "SavedFilter",
    "Study",
    "StudyPhase",
    "StudyPhaseKind",
    "SuggestionFollow",
    "SupportRequest",
    "TeamMember",
    "User",
    "UserManager",
]
