"""The webhook receiver: signatures, limits, de-duplication, persistence, notifications, end to end.

Bodies are built and signed with the sandbox's own encoder and signer (`hireflix_sandbox.webhooks`), which
follow Hireflix's wire format, so the receiver is checked against an independent implementation.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager
from contextlib import closing
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.session import IncomingMessage
from mcp.server.subscriptions import ResourceUpdated
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import ResourceUpdatedNotification
from pydantic import SecretStr
from pydantic import ValidationError
from starlette.applications import Starlette

from hireflix_mcp import cli
from hireflix_mcp.events import EventStore
from hireflix_mcp.events import SqliteEventStore
from hireflix_mcp.resources import EVENTS_URI
from hireflix_mcp.server import build_server
from hireflix_mcp.server import http_app
from hireflix_mcp.settings import WEBHOOK_RECEIVER_PATH
from hireflix_mcp.settings import Settings
from hireflix_mcp.store import SharedState
from hireflix_mcp.store.sqlite import SqliteState
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import Profile
from hireflix_mcp.webhooks import MAX_BODY_BYTES
from hireflix_mcp.webhooks import SIGNATURE_HEADER
from hireflix_mcp.webhooks import StoreUnavailable
from hireflix_mcp.webhooks import signature_matches
from hireflix_mcp.webhooks import webhook_route
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.webhooks import encode_event
from hireflix_sandbox.webhooks import sign
from tests.serving import free_port
from tests.serving import serve_http
from tests.serving import server_env
from tests.support import Listener
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import sandbox_settings

pytestmark = pytest.mark.anyio

SECRET = "whsec-tests-only-5f2b9c"
INTERVIEW_ID = "a" * 24


def _body(
    event: str = "interview.finish", interview_id: str = INTERVIEW_ID, date_ms: int = 1_750_000_000_000
) -> bytes:
    snapshot = {
        "id": interview_id,
        "status": "completed",
        "position": {"id": "b" * 24, "name": "Developer"},
        "candidate": {"name": "Ana Diaz", "email": "ana@example.com"},
    }
    return encode_event(event, snapshot, date_ms)


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {SIGNATURE_HEADER: sign(secret, body), "content-type": "application/json"}


@pytest.fixture
def store() -> Iterator[SqliteEventStore]:
    with closing(SqliteEventStore()) as events:
        yield events


@asynccontextmanager
async def _receiver(store: EventStore) -> AsyncIterator[tuple[httpx2.AsyncClient, list[str]]]:
    """The receiver route alone, over httpx2's ASGI transport; the list records each notify call."""
    notified: list[str] = []

    async def notify() -> None:
        notified.append(EVENTS_URI)

    app = Starlette(routes=[webhook_route(store, SECRET, notify)])
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://receiver"
    ) as http:
        yield http, notified


# ------------------------------------------------------------------------------------------ signatures


def test_signature_check_accepts_hireflix_signatures_only() -> None:
    body = _body()
    good = sign(SECRET, body)
    assert signature_matches(SECRET, body, good)
    assert not signature_matches(SECRET, body + b" ", good)
    assert not signature_matches("another-secret", body, good)
    assert not signature_matches(SECRET, body, None)
    assert not signature_matches(SECRET, body, "")
    assert not signature_matches(SECRET, body, "\udcff not base64 \u00e9")


async def test_correctly_signed_event_is_stored_and_announced_once(store: SqliteEventStore) -> None:
    body = _body()
    async with _receiver(store) as (http, notified):
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
    assert response.status_code == 200
    assert response.json() == {"accepted": True, "duplicate": False}
    [stored] = store.list()
    assert (stored.event, stored.date_ms, stored.data["id"]) == (
        "interview.finish",
        1_750_000_000_000,
        INTERVIEW_ID,
    )
    assert notified == [EVENTS_URI]


@pytest.mark.parametrize(
    "signature",
    [
        sign("the-wrong-secret", _body()),
        sign(SECRET, _body(interview_id="c" * 24)),  # a real signature, of another body
        base64.b64encode(b"\0" * 32).decode(),
        "not-base64!",
        "",
    ],
    ids=["other-secret", "other-body", "zero-digest", "malformed", "empty"],
)
async def test_wrong_or_malformed_signature_is_401_and_nothing_is_stored(
    store: SqliteEventStore, signature: str
) -> None:
    body = _body()
    async with _receiver(store) as (http, notified):
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers={SIGNATURE_HEADER: signature})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"
    assert store.count() == 0
    assert notified == []


async def test_missing_signature_is_401_and_nothing_is_stored(store: SqliteEventStore) -> None:
    async with _receiver(store) as (http, notified):
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=_body())
    assert response.status_code == 401
    assert "missing" in response.json()["message"]
    assert store.count() == 0
    assert notified == []


async def test_replayed_delivery_is_acknowledged_as_a_duplicate_and_kept_once(
    store: SqliteEventStore,
) -> None:
    body = _body()
    async with _receiver(store) as (http, notified):
        first = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
        replay = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
    assert first.json() == {"accepted": True, "duplicate": False}
    assert replay.status_code == 200
    assert replay.json() == {"accepted": True, "duplicate": True}
    assert store.count() == 1
    assert notified == [EVENTS_URI]


# ------------------------------------------------------------------------------------------ bodies


async def test_body_over_the_limit_is_413_even_when_signed_or_sent_without_a_length(
    store: SqliteEventStore,
) -> None:
    huge = json.dumps({"event": "interview.finish", "date": 1, "data": {"x": "y" * MAX_BODY_BYTES}}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(huge), 64 * 1024):
            yield huge[start : start + 64 * 1024]

    async with _receiver(store) as (http, notified):
        declared = await http.post(WEBHOOK_RECEIVER_PATH, content=huge, headers=_signed(huge))
        streamed = await http.post(WEBHOOK_RECEIVER_PATH, content=chunks(), headers=_signed(huge))
    assert "content-length" not in streamed.request.headers
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert store.count() == 0
    assert notified == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe{}",
        b'["interview.finish"]',
        b'{"date": 1, "data": {}}',
        b'{"event": "", "date": 1, "data": {}}',
        b'{"event": "interview.finish", "date": "yesterday", "data": {}}',
        b'{"event": "interview.finish", "date": true, "data": {}}',
        b'{"event": "interview.finish", "date": 1750000000000, "data": ["a"]}',
        b'{"event": "interview.finish", "date": 1, "data": {}}',
        b'{"event": "interview.finish", "date": NaN, "data": {}}',
        b'{"event": "Interview Finish", "date": 1750000000000, "data": {}}',
        b'{"event": "interview.finish", "date": 1750000000000, "data": {"a": %b}}' % (b"[" * 20 + b"]" * 20),
    ],
    ids=["not-json", "not-utf8", "array", "no-event", "empty-event", "date-text", "date-bool", "data-list",
         "date-1970", "date-nan", "event-not-a-name", "too-deep"],
)  # fmt: skip
async def test_signed_body_that_is_not_an_event_is_400_and_nothing_is_stored(
    store: SqliteEventStore, body: bytes
) -> None:
    async with _receiver(store) as (http, notified):
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
    assert response.status_code == 400
    assert response.json()["error"] == "bad_event"
    assert store.count() == 0
    assert notified == []


async def test_unsigned_malformed_body_is_refused_for_its_signature_before_it_is_parsed(
    store: SqliteEventStore,
) -> None:
    async with _receiver(store) as (http, _):
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=b"{not json")
    assert response.status_code == 401


async def test_an_event_name_hireflix_adds_later_is_kept(store: SqliteEventStore) -> None:
    body = json.dumps({"event": "interview.archived", "date": 1.75e12, "data": {"id": INTERVIEW_ID}}).encode()
    async with _receiver(store) as (http, _):
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
    assert response.status_code == 200
    assert [e.event for e in store.list()] == ["interview.archived"]


async def test_receiver_answers_post_only(store: SqliteEventStore) -> None:
    async with _receiver(store) as (http, _):
        response = await http.get(WEBHOOK_RECEIVER_PATH)
    assert response.status_code == 405


# ------------------------------------------------------------------------------------------ persistence


async def test_events_survive_a_restart_and_a_replay_after_it_is_still_a_duplicate(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    body = _body()
    with closing(SqliteEventStore(db)) as before:
        async with _receiver(before) as (http, _):
            assert (
                await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
            ).status_code == 200
    with closing(SqliteEventStore(db)) as after:
        assert [e.data["id"] for e in after.list()] == [INTERVIEW_ID]
        async with _receiver(after) as (http, notified):
            replay = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
        assert replay.json()["duplicate"] is True
        assert after.count() == 1
        assert notified == []


async def test_shared_store_lives_while_any_connection_uses_it_and_refuses_with_503_otherwise() -> None:
    shared = SharedState(SqliteState(":memory:"))  # what build_server gives the receiver
    body = _body()
    async with _receiver(shared) as (http, _):
        closed = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
        with shared.opened() as first:
            with shared.opened() as second:
                assert second is first
                stored = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
            assert first.count() == 1  # still open: one user is left
        with pytest.raises(StoreUnavailable):
            shared.count()
    assert closed.status_code == 503
    assert stored.status_code == 200


# ------------------------------------------------------------------------------------------ the server


def _server_settings(sandbox: RunningSandbox, **overrides: Any) -> Settings:
    return sandbox_settings(sandbox, webhook_secret=SecretStr(SECRET), **overrides)


@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_subscribed_client_hears_of_a_stored_event_and_the_tools_list_it(
    sandbox: RunningSandbox, era: Era
) -> None:
    settings = _server_settings(sandbox)
    server = build_server(settings, Profile(toolsets=ALL_TOOLSETS))
    app = http_app(server, settings, host="127.0.0.1", port=8000)
    listener = Listener()
    body = _body()
    transport = httpx2.ASGITransport(app=app)
    async with (
        Client(server, mode=era, message_handler=listener) as client,
        httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http,
    ):
        if era == "legacy":
            assert client.server_capabilities.resources is not None
            assert client.server_capabilities.resources.subscribe
            with pytest.warns(MCPDeprecationWarning):
                await client.subscribe_resource(EVENTS_URI)
            response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
            with anyio.fail_after(5):
                await listener.wait()
            assert listener.updates == [EVENTS_URI]
        else:
            async with client.listen(resource_subscriptions=[EVENTS_URI]) as events:
                response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
                with anyio.fail_after(5):
                    event = await anext(events)
            assert event == ResourceUpdated(uri=EVENTS_URI)
        assert response.status_code == 200
        listed = data(await client.call_tool("list_webhook_events", {"since": "2000-01-01"}))
        resource = await client.read_resource(EVENTS_URI)
    assert listed["mode"] == "received"
    assert [(e["event"], e["interview_id"]) for e in listed["events"]] == [("interview.finish", INTERVIEW_ID)]
    assert INTERVIEW_ID in str(resource.contents[0])


async def test_unsubscribed_client_hears_nothing_and_subscribing_needs_the_receiver(
    sandbox: RunningSandbox,
) -> None:
    settings = _server_settings(sandbox)
    server = build_server(settings, Profile(toolsets=ALL_TOOLSETS))
    app = http_app(server, settings, host="127.0.0.1", port=8000)
    heard: list[IncomingMessage] = []

    async def on_message(message: IncomingMessage) -> None:
        heard.append(message)

    body = _body()
    transport = httpx2.ASGITransport(app=app)
    async with (
        Client(server, mode="legacy", message_handler=on_message) as client,
        httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http,
    ):
        with pytest.warns(MCPDeprecationWarning):
            await client.subscribe_resource(EVENTS_URI)
        with pytest.warns(MCPDeprecationWarning):
            await client.unsubscribe_resource(EVENTS_URI)
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
        # A round trip after the post: a notification sent during it would have arrived before this answer.
        listed = data(await client.call_tool("list_webhook_events", {"since": "2000-01-01"}))
    assert response.json() == {"accepted": True, "duplicate": False}
    assert len(listed["events"]) == 1
    assert not [m for m in heard if isinstance(m, ResourceUpdatedNotification)]
    async with Client(build_server(sandbox_settings(sandbox)), mode="legacy") as plain:
        resources = plain.server_capabilities.resources
    assert resources is None or not resources.subscribe


async def test_bearer_token_guards_mcp_but_not_the_receiver(sandbox: RunningSandbox) -> None:
    settings = _server_settings(sandbox, auth_token=SecretStr("bearer-for-tests"))
    server = build_server(settings, Profile(toolsets=ALL_TOOLSETS))
    app = http_app(server, settings, host="127.0.0.1", port=8000)
    body = _body()
    transport = httpx2.ASGITransport(app=app)
    async with (
        Client(server) as client,  # keeps the server's lifespan (and so its event store) open
        httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http,
    ):
        mcp = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        hook = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
        listed = data(await client.call_tool("list_webhook_events", {"since": "2000-01-01"}))
    assert mcp.status_code == 401
    assert hook.status_code == 200
    assert len(listed["events"]) == 1


async def test_without_a_secret_there_is_no_receiver_route(sandbox: RunningSandbox) -> None:
    settings = sandbox_settings(sandbox)
    app = http_app(build_server(settings), settings, host="127.0.0.1", port=8000)
    body = _body()
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as http:
        response = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=_signed(body))
    assert response.status_code == 404


# ------------------------------------------------------------------------------------------ create_webhook


async def test_create_webhook_without_url_points_hireflix_at_this_servers_receiver(
    sandbox: RunningSandbox,
) -> None:
    elicitor = Elicitor("accept")
    async with connect(
        sandbox, webhook_secret=SecretStr(SECRET), public_url="https://mcp.example.com/", elicitor=elicitor
    ) as client:
        result = data(await client.call_tool("create_webhook", {"events": ["interview.finish"]}))
    assert result["webhook"]["url"] == "https://mcp.example.com/webhooks/hireflix"
    assert "own webhook receiver" in result["note"]
    assert '"mcp.example.com" (this server\'s own receiver)' in elicitor.messages[0]
    assert "https://mcp.example.com/webhooks/hireflix" in {h.url for h in sandbox.store.webhooks()}


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({}, "--public-url"),
        ({"public_url": "https://mcp.example.com"}, "HIREFLIX_WEBHOOK_SECRET"),
        ({"public_url": "http://mcp.example.com", "webhook_secret": SecretStr(SECRET)}, "https"),
    ],
    ids=["no-public-url", "no-secret", "plain-http-public-url"],
)
async def test_create_webhook_without_url_says_what_this_server_is_missing(
    sandbox: RunningSandbox, overrides: dict[str, Any], says: str
) -> None:
    async with connect(sandbox, **overrides) as client:
        sandbox.reset_request_counts()
        message = error_text(await client.call_tool("create_webhook", {"events": ["interview.finish"]}))
    assert says in message
    assert sandbox.request_counts()["total"] == 0


def test_public_url_is_read_from_the_environment_and_must_be_an_http_base() -> None:
    settings = Settings.from_env({"HIREFLIX_MCP_PUBLIC_URL": "https://mcp.example.com/base/"})
    assert settings.webhook_receiver_url == "https://mcp.example.com/base/webhooks/hireflix"
    assert Settings().webhook_receiver_url is None
    for bad in ("mcp.example.com", "ftp://mcp.example.com", "https://mcp.example.com/?a=1"):
        with pytest.raises(ValidationError, match="HIREFLIX_MCP_PUBLIC_URL"):
            Settings(public_url=bad)


def test_http_against_the_embedded_sandbox_receives_its_webhooks_without_setup() -> None:
    filled = cli._sandbox_webhook_settings(Settings(), "sandbox-secret", "0.0.0.0", 8123)  # noqa: S104
    assert filled.webhook_secret is not None
    assert filled.webhook_secret.get_secret_value() == "sandbox-secret"
    assert filled.webhook_receiver_url == "http://127.0.0.1:8123/webhooks/hireflix"
    given = Settings(webhook_secret=SecretStr("mine"), public_url="https://mcp.example.com")
    kept = cli._sandbox_webhook_settings(given, "sandbox-secret", "127.0.0.1", 8123)
    assert kept == given


# ------------------------------------------------------------------------------------------ end to end


async def test_end_to_end_a_finished_interview_arrives_signed_verified_stored_and_announced(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    env = server_env(
        sandbox,
        HIREFLIX_WEBHOOK_SECRET=sandbox.runtime.webhook_secret,
        HIREFLIX_MCP_STATE_DB=str(tmp_path / "state.db"),
    )
    log = tmp_path / "server.log"
    port = free_port()
    receiver = f"http://127.0.0.1:{port}{WEBHOOK_RECEIVER_PATH}"
    pending = next(i for i in sandbox.store.all_interviews() if not i.completed)
    legacy_listener = Listener()

    public_url = ("--public-url", f"http://127.0.0.1:{port}")
    with serve_http(env, log, "--toolsets", "all", *public_url, port=port) as server:
        url = server.url
        with anyio.fail_after(30):
            async with (
                Client(url, mode="legacy", message_handler=legacy_listener) as legacy,
                Client(url, mode="auto") as modern,
            ):
                asked = data(await legacy.call_tool("create_webhook", {"events": ["interview.finish"]}))
                token = {"confirmation_token": asked["confirmation_token"]}
                created = data(
                    await legacy.call_tool("create_webhook", {"events": ["interview.finish"], **token})
                )
                assert created["webhook"]["url"] == receiver
                with pytest.warns(MCPDeprecationWarning):
                    await legacy.subscribe_resource(EVENTS_URI)
                async with modern.listen(resource_subscriptions=[EVENTS_URI]) as modern_events:
                    await anyio.to_thread.run_sync(sandbox.complete_interview, pending.id)
                    deliveries = await anyio.to_thread.run_sync(sandbox.drain_webhooks)
                    modern_event = await anext(modern_events)
                await legacy_listener.wait()
                listed = data(await modern.call_tool("list_webhook_events", {"event": "interview.finish"}))

    [delivery] = [d for d in deliveries if d["url"] == receiver]
    assert (delivery["state"], delivery["status_code"]) == ("delivered", 200), log.read_text()
    assert delivery["event"] == "interview.finish"
    assert modern_event == ResourceUpdated(uri=EVENTS_URI)
    assert legacy_listener.updates == [EVENTS_URI]
    assert listed["mode"] == "received"
    assert [e["interview_id"] for e in listed["events"]] == [pending.id]
    assert listed["events"][0]["candidate_email"] == pending.email

    # Restarted on the same state file, the server still lists the event, and the same signed delivery
    # replayed is recognised as a duplicate; a forged one is refused.
    port = free_port()
    with serve_http(env, log, "--toolsets", "all", port=port) as server:
        url = server.url
        with anyio.fail_after(30):
            async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
                body = delivery["body"].encode()
                headers = {SIGNATURE_HEADER: delivery["signature"], "content-type": "application/json"}
                replay = await http.post(WEBHOOK_RECEIVER_PATH, content=body, headers=headers)
                forged = await http.post(
                    WEBHOOK_RECEIVER_PATH, content=body.replace(b"finish", b"delete"), headers=headers
                )
            async with Client(url) as client:
                after_restart = data(await client.call_tool("list_webhook_events", {"since": "2000-01-01"}))
    assert replay.json() == {"accepted": True, "duplicate": True}
    assert forged.status_code == 401
    assert [e["interview_id"] for e in after_restart["events"]] == [pending.id]
