"""Every way a Hireflix call can fail, as one small exception tree.

    HireflixError                         anything raised by the Hireflix client
    ├── TransportError                    no answer came back
    │   ├── ConnectionFailed              could not connect (nothing was sent)
    │   └── Timeout                       connected, but no answer in time (or HTTP 408)
    ├── APIError                          Hireflix answered, and the answer is a failure
    │   ├── AuthenticationError           the API key is missing or rejected (HTTP 401, UNAUTHENTICATED)
    │   ├── PermissionDenied              the key lacks permission for this action (HTTP 403, FORBIDDEN)
    │   ├── NotFoundError                 no such position / interview / ... (kind, id)
    │   ├── ValidationFailed              the input broke a rule (field_errors)
    │   ├── AlreadyExistsError            a uniqueness rule
    │   │   ├── InterviewAlreadyExistsError   e-mail already invited (existing_interview_id)
    │   │   └── ExternalIdConflictError       externalId already used in the position
    │   ├── InviteQuotaExceededError      the plan's invite allowance is used up
    │   ├── PositionNotAcceptingInvitesError
    │   ├── RateLimitedError              HTTP 429 (retry_after)
    │   ├── ServerError                   HTTP 5xx
    │   ├── GraphQLRequestError           other top-level `errors` (messages, codes, operation)
    │   └── MalformedResponseError        a body the client cannot read
    └── OutcomeUnknownError               a mutation was sent; whether it took effect is unknown

Every error carries:
- `status`: the HTTP status of the answer that reported the failure (200 for a top-level `errors` array
  in a 200 answer), or None when no answer came back or the failure is a result inside the answer's
  `data` (a union error member, a missing object);
- `request_id`: the upstream request id of that answer (`X-Request-Id` / `Request-Id`), or None; neither
  the sandbox nor the documented API sends one today, so expect None;
- `retryable` (would the same call, repeated later, plausibly succeed?) and `retry_after` (seconds, when
  the server said so); `retry_advice()` turns them into the one sentence a model reads about retrying.

Messages say what failed and what to check, for the person or model reading them; whether and when to
retry is not in the message but in the fields above. Messages never contain the API key: the transport
removes it from anything the server sends back before an error is built.

Hireflix reports failures two ways (schema.graphql): a top-level `errors` array, and union results whose
`__typename` names an error type. Both are turned into this tree here, by `from_graphql_errors`
and `from_union_member`, and nowhere else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import ClassVar


class HireflixError(Exception):
    """Base of every error the Hireflix client raises."""

    retryable: bool = False
    status: int | None = None
    request_id: str | None = None

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        if retryable is not None:
            self.retryable = retryable
        self.retry_after = retry_after
        self.status = status

    def __str__(self) -> str:
        return self.message

    def retry_advice(self) -> str:
        """The sentence a model reads about retrying, from `retryable` and `retry_after`."""
        if not self.retryable:
            return "Retrying the same call will not help."
        if self.retry_after:
            # Rounded up: "after 1 s" for 0.3 s, never a wait shorter than the server asked for.
            return f"Retrying may help: retry after {math.ceil(self.retry_after)} s."
        return "Retrying may help: retry in a few seconds."

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


# ---------------------------------------------------------------------------------- transport
class TransportError(HireflixError):
    """No answer came back from Hireflix."""

    retryable = True


class ConnectionFailed(TransportError):
    def __init__(self, operation: str, host: str, reason: str, *, sent: bool = False) -> None:
        self.sent = sent
        what = (
            f"The connection to Hireflix at {host} broke during {operation} ({reason})."
            if sent
            else f"Could not connect to Hireflix at {host} for {operation} ({reason}). Nothing was sent."
        )
        super().__init__(f"{what} Check the network and HIREFLIX_API_URL.", operation=operation)


class Timeout(TransportError):
    def __init__(self, operation: str, seconds: float | None, phase: str = "answer") -> None:
        limit = f" within {seconds:g} s" if seconds else ""
        super().__init__(
            f"Hireflix did not {phase}{limit} for {operation}. It may be slow or unreachable.",
            operation=operation,
        )


# ---------------------------------------------------------------------------------- API errors
class APIError(HireflixError):
    """Hireflix answered, and the answer is a failure."""


class _AccessRefused(APIError):
    """Hireflix refused the API key, or what the key asked for.

    The message: the reason Hireflix gave (else `stock_reason`), the operation when known, then `what_to_do`:
    "reason (Operation). what_to_do".
    """

    stock_reason: ClassVar[str]
    what_to_do: ClassVar[str]

    def __init__(self, operation: str | None = None, detail: str | None = None) -> None:
        reason = (detail or self.stock_reason).rstrip(".")
        named = f"{reason} ({operation})" if operation else reason
        super().__init__(f"{named}. {self.what_to_do}", operation=operation)


class AuthenticationError(_AccessRefused):
    """The API key is missing or rejected: HTTP 401, or an UNAUTHENTICATED error."""

    stock_reason = "Hireflix rejected the API key"
    what_to_do = (
        "Set HIREFLIX_API_KEY to a valid key: "
        "create one in the Hireflix dashboard under My account → API keys."
    )


class PermissionDenied(_AccessRefused):
    """The key lacks permission for this action: HTTP 403, or a FORBIDDEN error (e.g. removing the
    account owner)."""

    stock_reason = "Hireflix refused this action"
    what_to_do = (
        "The API key lacks permission for this action: use a key of a Hireflix user allowed to do it, "
        "or do it in the dashboard."
    )


class NotFoundError(APIError):
    def __init__(
        self, kind: str, id: str | None, *, operation: str | None = None, detail: str | None = None
    ) -> None:
        self.kind = kind
        self.id = id
        what = f"{kind} {id}" if id else f"the requested {kind}"
        extra = f" Hireflix said: {detail}." if detail else ""
        super().__init__(
            f"No {what} exists in this Hireflix account (wrong id, or it was deleted).{extra} "
            f"Look the {kind} up again to get a current id.",
            operation=operation,
        )


class ValidationFailed(APIError):
    def __init__(
        self, message: str, field_errors: Mapping[str, str] | None = None, *, operation: str | None = None
    ) -> None:
        self.field_errors: dict[str, str] = dict(field_errors or {})
        fields = "; ".join(f"{name}: {problem}" for name, problem in self.field_errors.items())
        super().__init__(
            f"Hireflix rejected the input{f' of {operation}' if operation else ''}: {message}"
            f"{f' ({fields})' if fields else ''}. Fix the input.",
            operation=operation,
        )


class AlreadyExistsError(APIError):
    """A uniqueness rule refused the request."""


class InterviewAlreadyExistsError(AlreadyExistsError):
    def __init__(
        self,
        email: str | None,
        position_id: str | None,
        *,
        existing_interview_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.email = email
        self.position_id = position_id
        self.existing_interview_id = existing_interview_id
        existing = f" (interview {existing_interview_id})" if existing_interview_id else ""
        super().__init__(
            f"{email or 'This e-mail'} has already been invited to position {position_id or '?'}{existing}. "
            "Hireflix allows one invite per e-mail and position: use the existing interview, or delete it "
            "first to invite again.",
            operation=operation,
        )


class ExternalIdConflictError(AlreadyExistsError):
    def __init__(
        self, external_id: str | None, position_id: str | None, *, operation: str | None = None
    ) -> None:
        self.external_id = external_id
        self.position_id = position_id
        super().__init__(
            f"Another interview in position {position_id or '?'} already uses externalId "
            f"{external_id or '(given)'}. External ids must be unique per position: use another one or none.",
            operation=operation,
        )


class InviteQuotaExceededError(APIError):
    def __init__(self, detail: str | None = None, *, operation: str | None = None) -> None:
        super().__init__(
            "The Hireflix plan's invite allowance for this period is used up, so no invite was sent"
            f"{f' ({detail})' if detail else ''}. Upgrade the plan or wait for the next period.",
            operation=operation,
        )


class PositionNotAcceptingInvitesError(APIError):
    def __init__(
        self, position_id: str | None, detail: str | None = None, *, operation: str | None = None
    ) -> None:
        self.position_id = position_id
        super().__init__(
            f"Position {position_id or '?'} is not accepting invites (archived, expired or not ready)"
            f"{f': {detail}' if detail else ''}. "
            "Reopen it in the Hireflix dashboard or choose another position.",
            operation=operation,
        )


class RateLimitedError(APIError):
    retryable = True

    def __init__(self, operation: str, retry_after: float | None) -> None:
        super().__init__(
            f"Hireflix is rate-limiting requests (HTTP 429) and refused {operation}; nothing was done.",
            operation=operation,
            retry_after=retry_after,
            status=429,
        )


class ServerError(APIError):
    retryable = True

    def __init__(self, operation: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(
            f"Hireflix failed with HTTP {status} on {operation}. The fault is on Hireflix's side.",
            operation=operation,
            retry_after=retry_after,
            status=status,
        )


class GraphQLRequestError(APIError):
    def __init__(
        self,
        operation: str,
        messages: Sequence[str],
        codes: Sequence[str] = (),
        *,
        retryable: bool = False,
    ) -> None:
        self.messages = list(messages)
        self.codes = list(codes)
        text = "; ".join(self.messages) or "no message"
        hint = ""
        if any(_looks_like_schema_mismatch(m) for m in self.messages):
            hint = (
                " The client's operation document does not match the live API (a guessed field or type "
                "name is wrong); run `hireflix-mcp doctor` to find which."
            )
        code_text = f" [{', '.join(self.codes)}]" if self.codes else ""
        passing = " This looks like a passing fault on Hireflix's side." if retryable else ""
        super().__init__(
            f"Hireflix refused {operation}{code_text}: {text}.{hint}{passing}",
            operation=operation,
            retryable=retryable,
        )


class MalformedResponseError(APIError):
    def __init__(self, operation: str, detail: str, *, retryable: bool = True) -> None:
        cause = (
            ""
            if retryable
            else "; this usually means a guessed part of schema.graphql is wrong: run `hireflix-mcp doctor`"
        )
        super().__init__(
            f"Hireflix answered {operation} with a body the client could not read ({detail}){cause}.",
            operation=operation,
            retryable=retryable,
        )


# ---------------------------------------------------------------------------------- unknown outcome
_OUTCOME_CHECKS: Mapping[str, str] = {
    "CreatePosition": "List the positions to see whether it was created before creating it again",
    "DeletePosition": "Get the position to see whether it still exists",
    "DeleteInterview": "Get the interview to see whether it still exists",
    "CommentOnInterview": "Read the interview's comments to see whether the comment was added",
    "ShareInterview": "Get the interview: if it has a share link (externalLink), the link was created",
    "AddMember": "List the team members to see whether the member was added",
    "RemoveMember": "List the team members to see whether the member is gone",
    "CreateWebhook": "List the webhooks to see whether it was created before creating it again",
    "DeleteWebhook": "List the webhooks to see whether it is gone",
    "InviteCandidate": (
        "Search the position's interviews by the candidate's e-mail to see whether the invite landed"
    ),
}


class OutcomeUnknownError(HireflixError):
    """A mutation reached Hireflix (or may have), but its answer was lost."""

    def __init__(self, operation: str, cause: str, *, check: str | None = None) -> None:
        self.cause = cause
        self.check = check or _OUTCOME_CHECKS.get(
            operation, "Read the affected object to see its current state"
        )
        super().__init__(
            f"{operation} was sent to Hireflix but its answer was lost ({cause}), so it may or may not have "
            f"taken effect. {self.check}.",
            operation=operation,
            retryable=False,
        )

    def retry_advice(self) -> str:
        return "Do not repeat it blindly: retrying may do it twice."


# ---------------------------------------------------------------------------------- mapping
# Top-level error codes for a resolver that crashed: as transient as an HTTP 500.
_TRANSIENT_CODES = frozenset({"INTERNAL_SERVER_ERROR", "500", "503"})


def _looks_like_schema_mismatch(message: str) -> bool:
    lowered = message.lower()
    return any(
        marker in lowered
        for marker in ("cannot query field", "unknown type", "unknown argument", "must have a selection")
    )


def _extension_code(error: Mapping[str, Any]) -> str:
    extensions = error.get("extensions")
    if isinstance(extensions, Mapping):
        code = extensions.get("code")
        if isinstance(code, str):
            return code
    return ""


def _id_from(variables: Mapping[str, Any] | None, *keys: str) -> str | None:
    for key in keys:
        value = (variables or {}).get(key)
        if isinstance(value, str):
            return value
    return None


def normalize_field_errors(raw: Any) -> dict[str, str]:
    """`fieldErrors` as {field: problem}, whatever shape it arrives in.

    The schema types it as JSON ({"field": "problem"} or {"field": ["problem", ...]}); a public
    client selects it as a list of {flattenedPath, message}. Both are accepted.
    """
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {"input": raw}
    result: dict[str, str] = {}
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if isinstance(value, list):
                result[str(key)] = "; ".join(str(v) for v in value)
            else:
                result[str(key)] = str(value)
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, Mapping):
                path = item.get("flattenedPath") or item.get("path") or item.get("field") or "input"
                if isinstance(path, list):
                    path = ".".join(str(p) for p in path)
                result[str(path)] = str(item.get("message", ""))
    return result


def from_graphql_errors(
    errors: Sequence[Mapping[str, Any]], operation: str, variables: Mapping[str, Any] | None = None
) -> APIError:
    """The error for a response carrying a top-level `errors` array."""
    messages = [str(e.get("message", "")) for e in errors if isinstance(e, Mapping)]
    codes = [_extension_code(e) for e in errors if isinstance(e, Mapping)]
    first = next((e for e in errors if isinstance(e, Mapping)), {})
    if "UNAUTHENTICATED" in codes:
        return AuthenticationError(operation)
    if "FORBIDDEN" in codes:
        return PermissionDenied(operation, messages[0] if messages else None)
    if "NOT_FOUND" in codes:
        path = first.get("path")
        kind = str(path[0]).lower() if isinstance(path, list) and path else "object"
        return NotFoundError(
            kind,
            _id_from(variables, "id", "positionId"),
            operation=operation,
            detail=messages[0] if messages else None,
        )
    if "BAD_USER_INPUT" in codes:
        extensions = first.get("extensions")
        raw_fields = extensions.get("fieldErrors") if isinstance(extensions, Mapping) else None
        return ValidationFailed("; ".join(messages), normalize_field_errors(raw_fields), operation=operation)
    internal = any(code in _TRANSIENT_CODES for code in codes)
    return GraphQLRequestError(operation, messages, [c for c in codes if c], retryable=internal)


def member_message(member: Mapping[str, Any]) -> str | None:
    """An error member's `message`, whether selected plainly or under an alias ending in "Message"."""
    if isinstance(member.get("message"), str):
        return str(member["message"])
    for key, value in member.items():
        if key.endswith("Message") and isinstance(value, str):
            return value
    return None


def is_error_member(member: Mapping[str, Any]) -> bool:
    typename = member.get("__typename")
    return isinstance(typename, str) and typename.endswith("Error")


def from_union_member(
    member: Mapping[str, Any], operation: str, variables: Mapping[str, Any] | None = None
) -> APIError:
    """The error for a union result whose `__typename` names an error type.

    `variables` are the operation's variables; ids and e-mails in them make the message concrete.
    """
    typename = str(member.get("__typename", ""))
    message = member_message(member)
    invite = (variables or {}).get("input")
    invite = invite if isinstance(invite, Mapping) else {}
    raw_candidate = invite.get("candidate")
    candidate: Mapping[str, Any] = raw_candidate if isinstance(raw_candidate, Mapping) else {}
    position_id = invite.get("positionId") if isinstance(invite.get("positionId"), str) else None
    position_id = position_id or _id_from(variables, "positionId")
    if typename == "PositionNotFoundError":
        return NotFoundError(
            "position", position_id or _id_from(variables, "id"), operation=operation, detail=message
        )
    if typename == "InterviewNotFoundError":
        return NotFoundError("interview", _id_from(variables, "id"), operation=operation, detail=message)
    if typename == "InterviewAlreadyExistsInPositionError":
        email = candidate.get("email") if isinstance(candidate.get("email"), str) else None
        return InterviewAlreadyExistsError(email, position_id, operation=operation)
    if typename == "InterviewExternalIdAlreadyExistsInPositionError":
        external_id = invite.get("externalId") if isinstance(invite.get("externalId"), str) else None
        return ExternalIdConflictError(external_id, position_id, operation=operation)
    if typename == "ExceededInvitesThisPeriodError":
        return InviteQuotaExceededError(message, operation=operation)
    if typename == "PositionNotReadyToAcceptInvitesError":
        return PositionNotAcceptingInvitesError(position_id, message, operation=operation)
    if typename == "ValidationError":
        return ValidationFailed(
            message or "invalid input", normalize_field_errors(member.get("fieldErrors")), operation=operation
        )
    return GraphQLRequestError(operation, [f"{typename}: {message or 'no message'}"], [typename])
