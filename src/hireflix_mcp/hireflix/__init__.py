"""The typed Hireflix GraphQL client.

Public surface: `HireflixClient` and its `ClientConfig`, the result and input models, the search
results, the error tree, and `OPERATIONS` (every operation document with its kind and retry policy).
Everything else is internal. This package knows nothing of MCP, nor of the application around it.
"""

from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.config import ClientConfig
from hireflix_mcp.hireflix.errors import AlreadyExistsError
from hireflix_mcp.hireflix.errors import APIError
from hireflix_mcp.hireflix.errors import AuthenticationError
from hireflix_mcp.hireflix.errors import ConnectionFailed
from hireflix_mcp.hireflix.errors import ExternalIdConflictError
from hireflix_mcp.hireflix.errors import GraphQLRequestError
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import InterviewAlreadyExistsError
from hireflix_mcp.hireflix.errors import InviteQuotaExceededError
from hireflix_mcp.hireflix.errors import MalformedResponseError
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.hireflix.errors import OutcomeUnknownError
from hireflix_mcp.hireflix.errors import PermissionDenied
from hireflix_mcp.hireflix.errors import PositionNotAcceptingInvitesError
from hireflix_mcp.hireflix.errors import RateLimitedError
from hireflix_mcp.hireflix.errors import ServerError
from hireflix_mcp.hireflix.errors import Timeout
from hireflix_mcp.hireflix.errors import TransportError
from hireflix_mcp.hireflix.errors import ValidationFailed
from hireflix_mcp.hireflix.models import INTERVIEW_STATUSES
from hireflix_mcp.hireflix.models import Answer
from hireflix_mcp.hireflix.models import AuditLogEntry
from hireflix_mcp.hireflix.models import AuditLogPage
from hireflix_mcp.hireflix.models import Candidate
from hireflix_mcp.hireflix.models import Identity
from hireflix_mcp.hireflix.models import Interview
from hireflix_mcp.hireflix.models import InterviewAccessInfo
from hireflix_mcp.hireflix.models import InterviewComment
from hireflix_mcp.hireflix.models import InterviewCounts
from hireflix_mcp.hireflix.models import InterviewDetail
from hireflix_mcp.hireflix.models import InterviewMedia
from hireflix_mcp.hireflix.models import InterviewPage
from hireflix_mcp.hireflix.models import InterviewQuestion
from hireflix_mcp.hireflix.models import InterviewStatus
from hireflix_mcp.hireflix.models import InterviewTranscript
from hireflix_mcp.hireflix.models import InviteRequest
from hireflix_mcp.hireflix.models import InviteResult
from hireflix_mcp.hireflix.models import IpGeolocation
from hireflix_mcp.hireflix.models import Position
from hireflix_mcp.hireflix.models import PositionDetail
from hireflix_mcp.hireflix.models import PositionQuestion
from hireflix_mcp.hireflix.models import PositionQuestionInput
from hireflix_mcp.hireflix.models import PositionWithCounts
from hireflix_mcp.hireflix.models import ShareLink
from hireflix_mcp.hireflix.models import TeamMember
from hireflix_mcp.hireflix.models import Transcription
from hireflix_mcp.hireflix.models import TranscriptWord
from hireflix_mcp.hireflix.models import Webhook
from hireflix_mcp.hireflix.models import WebhookEvent
from hireflix_mcp.hireflix.operations import OPERATIONS
from hireflix_mcp.hireflix.operations import Operation
from hireflix_mcp.hireflix.operations import RetryPolicy
from hireflix_mcp.hireflix.search import FailedPosition
from hireflix_mcp.hireflix.search import FoundInterview
from hireflix_mcp.hireflix.search import FoundPage
from hireflix_mcp.hireflix.search import InterviewCondition
from hireflix_mcp.hireflix.search import InterviewSort
from hireflix_mcp.hireflix.search import InvalidCursorError
from hireflix_mcp.hireflix.search import SearchPage
from hireflix_mcp.hireflix.search import build_interview_filter

__all__ = [
    "INTERVIEW_STATUSES",
    "OPERATIONS",
    "APIError",
    "AlreadyExistsError",
    "Answer",
    "AuditLogEntry",
    "AuditLogPage",
    "AuthenticationError",
    "Candidate",
    "ClientConfig",
    "ConnectionFailed",
    "ExternalIdConflictError",
    "FailedPosition",
    "FoundInterview",
    "FoundPage",
    "GraphQLRequestError",
    "HireflixClient",
    "HireflixError",
    "Identity",
    "Interview",
    "InterviewAccessInfo",
    "InterviewAlreadyExistsError",
    "InterviewComment",
    "InterviewCondition",
    "InterviewCounts",
    "InterviewDetail",
    "InterviewMedia",
    "InterviewPage",
    "InterviewQuestion",
    "InterviewSort",
    "InterviewStatus",
    "InterviewTranscript",
    "InvalidCursorError",
    "InviteQuotaExceededError",
    "InviteRequest",
    "InviteResult",
    "IpGeolocation",
    "MalformedResponseError",
    "NotFoundError",
    "Operation",
    "OutcomeUnknownError",
    "PermissionDenied",
    "Position",
    "PositionDetail",
    "PositionNotAcceptingInvitesError",
    "PositionQuestion",
    "PositionQuestionInput",
    "PositionWithCounts",
    "RateLimitedError",
    "RetryPolicy",
    "SearchPage",
    "ServerError",
    "ShareLink",
    "TeamMember",
    "Timeout",
    "TranscriptWord",
    "Transcription",
    "TransportError",
    "ValidationFailed",
    "Webhook",
    "WebhookEvent",
    "build_interview_filter",
]
