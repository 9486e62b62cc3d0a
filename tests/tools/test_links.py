"""Link tools (build_application_link, get_embed_code) through the real Client against the sandbox, and
how every tool and resource names an interview: one interview_id, invited_at and interview_url."""

from __future__ import annotations

import pytest

from hireflix_sandbox import ids
from hireflix_sandbox.embedded import RunningSandbox
from tests.test_resources import read_json
from tests.tools.conftest import Era
from tests.tools.conftest import call
from tests.tools.conftest import call_error
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import invite
from tests.tools.test_interviews_support import MISSING_ID
from tests.tools.test_interviews_support import open_position
from tests.tools.test_interviews_support import total_requests

pytestmark = pytest.mark.anyio


async def test_every_tool_and_resource_names_an_interview_the_same_way(
    sandbox: RunningSandbox, era: Era
) -> None:
    """interview_id, invited_at and interview_url everywhere an interview is shown, never id or created_at."""
    position = open_position(sandbox)
    async with connect(sandbox, era=era) as client:
        result = await invite(client, position.id, "link@example.com", "Li", send_invite_email=False)
        invited = result["interview"]
        interview_id = invited["interview_id"]
        detail = await call(client, "get_interview", {"interview_id": interview_id})
        searched = await call(
            client, "search_interviews", {"position_id": position.id, "email": "link@example.com"}
        )
        embed = await call(client, "get_embed_code", {"interview_id": interview_id})
        resource = await read_json(client, f"hireflix://interviews/{interview_id}")
    shown = [invited, detail, *searched["interviews"], resource]
    assert [item["interview_id"] for item in shown] == [interview_id] * 4
    assert len({item["invited_at"] for item in shown}) == 1
    assert all("id" not in item and "created_at" not in item for item in shown)
    record = sandbox.store.interview(interview_id)
    assert record is not None
    # The public app link: it also works as an iframe's src, which the short redirecting link does not.
    url = ids.public_url(record.hash)
    assert [invited["interview_url"], detail["interview_url"], embed["interview_url"]] == [url] * 3
    assert resource["interview_url"] == url
    assert f'src="{url}"' in embed["iframe"]


async def test_embed_code_allows_camera_and_microphone_and_notes_the_ios_settings(
    sandbox: RunningSandbox,
) -> None:
    record = sandbox.store.all_interviews()[0]
    async with connect(sandbox) as client:
        embed = data(await client.call_tool("get_embed_code", {"interview_id": record.id}))
    assert 'allow="camera; microphone' in embed["iframe"]
    assert any("WKWebView" in note for note in embed["notes"])


async def test_embed_code_for_an_unknown_interview_says_where_ids_come_from(sandbox: RunningSandbox) -> None:
    async with connect(sandbox) as client:
        message = await call_error(client, "get_embed_code", {"interview_id": MISSING_ID})
    assert MISSING_ID in message
    assert "search_interviews" in message


async def test_application_link_prefills_the_given_fields_without_calling_hireflix(
    sandbox: RunningSandbox,
) -> None:
    position = open_position(sandbox)
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        link = data(
            await client.call_tool(
                "build_application_link",
                {"position_id": position.id, "first_name": " Zoë ", "phone": "+32491505050"},
            )
        )
    assert link["url"] == (
        f"https://app.hireflix.com/public-application/{position.id}?firstName=Zo%C3%AB&phoneNumber=%2B32491505050"
    )
    assert "public applications" in link["note"]
    assert total_requests(sandbox) == 0
