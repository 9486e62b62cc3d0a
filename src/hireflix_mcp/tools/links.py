"""Candidate-facing links: prefilled public application links and embed snippets."""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import quote
from urllib.parse import urlencode

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import Email
from hireflix_mcp.tools.inputs import InterviewId
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import interview_url

PUBLIC_APPLICATION_URL = "https://app.hireflix.com/public-application/{position_id}"
E164 = r"^\+[1-9]\d{6,14}$"


class ApplicationLink(BaseModel):
    url: str
    note: str


@tool(
    kind="read",
    title="Build an application link",
    description="A public link to apply to a position, candidate details prefilled. No API call.",
)
async def build_application_link(
    position_id: PositionId,
    first_name: Annotated[str | None, Field(max_length=50)] = None,
    last_name: Annotated[str | None, Field(max_length=50)] = None,
    email: Email | None = None,
    phone: Annotated[
        str | None,
        Field(pattern=E164, description="E.164."),
    ] = None,
) -> ApplicationLink:
    params = {
        "firstName": first_name,
        "lastName": last_name,
        "email": email,
        "phoneNumber": phone,
    }
    given = {k: v.strip() for k, v in params.items() if v and v.strip()}
    url = PUBLIC_APPLICATION_URL.format(position_id=position_id)
    if given:
        url += "?" + urlencode(given, quote_via=quote)
    return ApplicationLink(
        url=url,
        note="Built without calling Hireflix: it works if the position exists and has public applications "
        "enabled in the Hireflix dashboard.",
    )


class EmbedCode(BaseModel):
    interview_url: str
    iframe: str = Field(description="HTML to paste into a page.")
    notes: list[str]


@tool(
    kind="read",
    title="Get embed code",
    description="An iframe snippet embedding an interview (camera/mic, iOS notes).",
)
async def get_embed_code(interview_id: InterviewId, ctx: Ctx) -> EmbedCode:
    interview = await hireflix(ctx).get_interview(interview_id)
    url = interview_url(interview)
    if url is None:
        raise ToolError(f"Interview {interview_id} has no public interview URL to embed.")
    iframe = (
        f'<iframe src="{html.escape(url, quote=True)}" width="100%" height="720" style="border:0" '
        'allow="camera; microphone; autoplay; fullscreen; display-capture" allowfullscreen></iframe>'
    )
    return EmbedCode(
        interview_url=url,
        iframe=iframe,
        notes=[
            "Serve the page over HTTPS; the allow attribute grants the camera and microphone.",
            "The interview posts events such as interview.finished to the parent window "
            "(window.addEventListener('message', ...)); their payloads are undocumented.",
            "iOS WKWebView: set allowsInlineMediaPlayback and grant media capture "
            "(requestMediaCapturePermissionFor, iOS 15+), or candidates see 'Open this on Safari'.",
        ],
    )
