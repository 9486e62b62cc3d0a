"""The fields every confirmed tool's result carries (policy in `hireflix_mcp.confirm`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.confirm import Gate
from hireflix_mcp.views.common import iso


class ConfirmationFields(BaseModel):
    """Present on every tool that asks for confirmation."""

    status: Literal["done", "confirmation_required", "declined", "cancelled"] = Field(
        description="done: carried out. confirmation_required: nothing changed yet; show message to the user "
        "and, if they agree, call again with confirmation_token. declined/cancelled: the user said no; "
        "nothing changed."
    )
    message: str = Field(description="What happened, or what will happen once confirmed.")
    confirmation_token: str | None = Field(
        default=None, description="Pass back as confirmation_token, with the same arguments, to go ahead."
    )
    confirmation_expires_at: str | None = None

    @classmethod
    def stopped(cls, gate: Gate) -> dict[str, object]:
        """Field values for a call the gate stopped (nothing changed)."""
        status = "declined" if gate.status == "approved" else gate.status
        return {
            "status": status,
            "message": gate.message,
            "confirmation_token": gate.confirmation_token,
            "confirmation_expires_at": iso(gate.expires_at * 1000) if gate.expires_at else None,
        }
