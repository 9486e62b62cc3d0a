"""Attacks on add_member: an address that reads as one person's and delivers to another's.

An address carrying zero-width, bidi or other invisible characters is refused before anything is asked
or sent. A domain outside ASCII is shown as DNS carries it (`xn--...`), so a Cyrillic `а` in `аcme.com`
cannot pass for Acme in the sentence the person approves.
"""

from __future__ import annotations

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import Elicitor
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text

pytestmark = pytest.mark.anyio


def _member_changes(sandbox: RunningSandbox) -> int:
    fields: dict[str, int] = sandbox.request_counts()["by_field"]
    return sum(n for path, n in fields.items() if path.startswith("Company.Member"))


@pytest.mark.parametrize(
    "email",
    [
        "eve\u200b@acme-talent.example",  # zero-width space
        "eve@acme-talent.example\u202egro",  # right-to-left override
        "\u2066eve@acme-talent.example\u2069",  # isolates
        "e\u00adve@acme-talent.example",  # soft hyphen
        "eve@acme\u3164talent.example",  # Hangul filler, a letter that shows as nothing
    ],
)
async def test_an_invisible_character_cannot_hide_in_a_new_members_email(
    sandbox: RunningSandbox, email: str
) -> None:
    elicitor = Elicitor("accept")
    sandbox.reset_request_counts()
    async with connect(sandbox, elicitor=elicitor) as client:
        message = error_text(await client.call_tool("add_member", {"email": email}))
    assert "invisible or direction-changing characters" in message
    assert "U+" in message
    assert elicitor.messages == [], "the user was asked to approve an address they cannot read"
    assert _member_changes(sandbox) == 0
    assert sandbox.request_counts()["total"] == 0


async def test_a_lookalike_domain_shows_in_its_xn_form_before_access_is_granted(
    sandbox: RunningSandbox,
) -> None:
    cyrillic = "ivan@\u0430cme.com"  # the first letter of the domain is Cyrillic
    elicitor = Elicitor("decline")
    async with connect(sandbox, elicitor=elicitor) as client:
        declined = data(await client.call_tool("add_member", {"email": cyrillic}))
    async with connect(sandbox, confirm="token") as client:
        asked = data(await client.call_tool("add_member", {"email": cyrillic}))
    assert declined["status"] == "declined"
    for preview in (*elicitor.messages, asked["message"]):
        assert preview.startswith('Give "ivan@xn--cme-5cd.com" access'), preview
        assert "outside ASCII" in preview
    assert _member_changes(sandbox) == 0


async def test_an_ascii_address_is_shown_as_typed(sandbox: RunningSandbox) -> None:
    elicitor = Elicitor("decline")
    async with connect(sandbox, elicitor=elicitor) as client:
        await client.call_tool("add_member", {"email": "New.Recruiter@Acme-Talent.example"})
    assert elicitor.messages == [
        'Give "New.Recruiter@Acme-Talent.example" access to the company\'s Hireflix account, including every '
        "candidate's recordings?"
    ]
