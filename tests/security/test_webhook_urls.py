"""Attacks through a webhook URL: reaching what Hireflix should never call, or a host nobody read.

Webhook URLs are https to a public host. Only this server's own receiver (url left out) and loopback
on a local Hireflix (`--sandbox`) are excepted. Refused, each with one sentence saying why and before
anything is sent: user info (`https://user:pw@host/`), backslashes (`http://evil.example\\@localhost/x`
is read differently by different parsers), and every literal address that is not public: private,
loopback (also written `2130706433` or `127.1`, as browser-style parsers read them), link-local
(169.254.169.254, where cloud metadata answers), unique local, IPv4-mapped IPv6, unspecified. The URL
is parsed once; what Hireflix is sent is that parsed form, so the host checked is the host contacted.
"""

from __future__ import annotations

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.security.test_webhook_confirmation import create_approved
from tests.tools.conftest import Elicitor
from tests.tools.conftest import connect
from tests.tools.conftest import error_text
from tests.tools.conftest import refused_upfront

pytestmark = pytest.mark.anyio

REMOTE_HIREFLIX = "https://api.hireflix.invalid/me"
"""A Hireflix that is not on this machine (and, being .invalid, one nothing can ever reach)."""


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://user:pw@hooks.example.com/in", "must not contain user info"),
        ("https://hooks.example.com@collect.attacker.example/in", "must not contain user info"),
        ("http://evil.example\\@localhost/x", "must not contain a backslash"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("https://10.0.0.7/hook", "10.0.0.7 is a private address"),
        ("https://192.168.1.1/hook", "192.168.1.1 is a private address"),
        ("https://[fd12:3456::1]/hook", "is a unique local address"),
        ("https://[::ffff:169.254.169.254]/hook", "is an IPv4-mapped IPv6 address"),
        ("https://0.0.0.0/hook", "0.0.0.0 is the unspecified address"),
        ("https://[::]/hook", "is the unspecified address"),
        ("https://%31%30.0.0.1/hook", "must not be percent-encoded"),
        ("https://hooks.example.com/in\u202etxt.exe", "must not contain spaces, line breaks or invisible"),
        ("http://hooks.example.com/in", "must use https"),
    ],
)
async def test_a_webhook_url_hireflix_must_not_call_is_refused_before_anything_is_sent(
    sandbox: RunningSandbox, url: str, why: str
) -> None:
    before = {hook.url for hook in sandbox.store.webhooks()}
    async with connect(sandbox, elicitor=Elicitor("accept")) as client:
        message = await refused_upfront(
            client, sandbox, "create_webhook", {"url": url, "events": ["interview.finish"]}
        )
    assert why in message
    assert "Nothing was sent: url" in message
    assert message.count(". ") == 0, f"one sentence: {message}"
    assert {hook.url for hook in sandbox.store.webhooks()} == before


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8123/in",
        "https://127.1/in",
        "https://2130706433/in",
        "https://0x7f.0.0.1/in",
        "https://[::1]/in",
        "https://localhost/in",
        "https://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/in",  # full-width "127.0.0.1"
    ],
)
async def test_a_webhook_to_this_machine_is_refused_unless_hireflix_runs_here_too(
    sandbox: RunningSandbox, url: str
) -> None:
    async with connect(sandbox, api_url=REMOTE_HIREFLIX, max_retries=0) as client:
        message = error_text(
            await client.call_tool("create_webhook", {"url": url, "events": ["interview.finish"]})
        )
    assert "loopback address (this machine)" in message or "names this machine" in message, message


async def test_what_hireflix_is_sent_is_the_url_as_parsed_and_checked(sandbox: RunningSandbox) -> None:
    given = ' HTTPS://Hooks.EXAMPLE.com:443/in/"quoted"?to=b\u00fccher '
    created, message = await create_approved(sandbox, given, ["interview.create"])
    expected = "https://hooks.example.com/in/%22quoted%22?to=b%C3%BCcher"
    assert created["webhook"]["url"] == expected
    assert expected in {hook.url for hook in sandbox.store.webhooks()}
    assert f'"{expected}"' in message
