"""Webhook delivery to a real receiver (a small Starlette app under uvicorn in a thread)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import anyio
import anyio.to_thread
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Route

from hireflix_sandbox.embedded import serving
from hireflix_sandbox.webhooks import SIGNATURE_HEADER
from hireflix_sandbox.webhooks import Delivery
from hireflix_sandbox.webhooks import WebhookDispatcher
from hireflix_sandbox.webhooks import encode_event
from hireflix_sandbox.webhooks import sign
from hireflix_sandbox.webhooks import verify
from hireflix_sandbox.webhooks import webhook_admin_routes
from tests.serving import free_port

pytestmark = pytest.mark.anyio

SECRET = "whsec-sandbox"
SNAPSHOT: dict[str, Any] = {
    "id": "65f0c0ffee0000000000abcd",
    "hash": "aB3dE6gH",
    "status": "to_evaluate",
    "candidate": {"name": "Zoë Ñúñez", "email": "zoe@example.com"},
    "position": {"id": "65f0c0ffee0000000000beef", "name": "Social Media Manager"},
}
DATE_MS = 1_717_171_717_000


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers by the last path segment: flaky (500 twice, then 200), gone (410), block (waits), else 200."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: str = ""
    """The running test's path segment in its hook URLs, so call counts never mix between tests."""

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            path = request.url.path
            with self.lock:
                self.received.append(Received(path, dict(request.headers), body))
                calls = sum(1 for item in self.received if item.path == path)
            behaviour = path.rsplit("/", 1)[-1]
            if behaviour == "flaky" and calls <= 2:
                return JSONResponse({"error": "try later"}, status_code=500)
            if behaviour == "gone":
                return JSONResponse({"error": "gone"}, status_code=410)
            if behaviour == "block":
                await anyio.to_thread.run_sync(self.release.wait, 5.0)
            return JSONResponse({"ok": True})

        return Starlette(routes=[Route("/hooks/{token}/{behaviour}", hook, methods=["POST"])])

    def hook_url(self, behaviour: str) -> str:
        return f"{self.url}/hooks/{self.token}/{behaviour}"

    def requests(self, url: str) -> list[Received]:
        """What was posted to `url`, oldest first."""
        path = httpx2.URL(url).path
        with self.lock:
            return [item for item in self.received if item.path == path]

    def bodies(self, url: str) -> list[bytes]:
        return [item.body for item in self.requests(url)]


@pytest.fixture(scope="module")
def module_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    with serving(receiver.app()) as (url, _server):
        receiver.url = url
        yield receiver
        receiver.release.set()


@pytest.fixture
def receiver(module_receiver: Receiver) -> Iterator[Receiver]:
    module_receiver.release = threading.Event()
    module_receiver.token = uuid.uuid4().hex
    yield module_receiver
    module_receiver.release.set()


def dispatcher_for(subscriptions: Mapping[str, Sequence[str]], **options: Any) -> WebhookDispatcher:
    options.setdefault("retry_backoff", 0.01)
    return WebhookDispatcher(
        lambda event: subscriptions.get(event, ()), lambda: SECRET, clock=lambda: DATE_MS / 1000, **options
    )


async def delivered(
    subscriptions: Mapping[str, Sequence[str]], *events: str, **options: Any
) -> WebhookDispatcher:
    """A dispatcher (see `dispatcher_for`) that has emitted `events` with SNAPSHOT and delivered them all."""
    async with dispatcher_for(subscriptions, **options) as dispatcher:
        for event in events:
            await dispatcher.emit(event, SNAPSHOT)
        with anyio.fail_after(5):
            await dispatcher.drain()
    return dispatcher


async def delivered_once(receiver: Receiver, event: str) -> tuple[Received, Delivery]:
    """Deliver `event` (with SNAPSHOT) to one URL of `receiver` that answers 200: the one request it
    received and the dispatcher's one delivery record."""
    url = receiver.hook_url("ok")
    dispatcher = await delivered({event: [url]}, event)
    [request] = receiver.requests(url)
    [record] = dispatcher.deliveries
    return request, record


def test_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    body = b"The quick brown fox jumps over the lazy dog"
    assert sign("key", body) == "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
    assert verify("key", body, "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=")
    assert not verify("key", body + b".", "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=")
    assert not verify("key", body, "not base64 at all ☃")


def test_encode_event_is_compact_utf8_json_in_hireflix_key_order() -> None:
    body = encode_event("interview.finish", {"name": "Zoë", "n": [1, 2]}, 5)
    assert body == '{"event":"interview.finish","date":5,"data":{"name":"Zoë","n":[1,2]}}'.encode()


def test_encode_event_escapes_lone_surrogates_so_the_body_stays_utf8() -> None:
    body = encode_event("interview.create", {"firstName": "A\ud800B"}, 5)
    assert b"A\\ud800B" in body
    assert json.loads(body.decode("utf-8"))["data"]["firstName"] == "A\ud800B"


@pytest.mark.parametrize("event", ["interview.finished", "interview.update", ""])
def test_unknown_event_names_are_rejected(event: str) -> None:
    with pytest.raises(ValueError, match="unknown webhook event"):
        encode_event(event, {}, 0)


async def test_emit_rejects_an_unknown_event_before_scheduling_anything() -> None:
    async with dispatcher_for({"interview.finish": ["http://127.0.0.1:9/never"]}) as dispatcher:
        with pytest.raises(ValueError, match=r"interview\.finished"):
            await dispatcher.emit("interview.finished", SNAPSHOT)
        assert dispatcher.deliveries == []


async def test_delivered_body_is_compact_json_with_event_date_and_data(receiver: Receiver) -> None:
    request, record = await delivered_once(receiver, "interview.finish")
    body = request.body
    assert json.loads(body) == {"event": "interview.finish", "date": DATE_MS, "data": SNAPSHOT}
    assert body == json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
    assert "Zoë Ñúñez".encode() in body, "non-ASCII travels as UTF-8, not \\u escapes"
    assert request.headers["content-type"] == "application/json"
    assert (record.state, record.status_code, record.attempts, record.body) == ("delivered", 200, 1, body)


async def test_signature_header_verifies_with_the_secret_and_fails_with_another(receiver: Receiver) -> None:
    request, record = await delivered_once(receiver, "interview.create")
    signature = request.headers[SIGNATURE_HEADER]
    assert verify(SECRET, request.body, signature)
    assert not verify("another-secret", request.body, signature)
    assert record.signature == signature


async def test_only_urls_subscribed_to_the_event_receive_it(receiver: Receiver) -> None:
    finish, both, delete = (receiver.hook_url(name) for name in ("finish", "both", "delete"))
    subscriptions = {"interview.finish": [finish, both], "interview.delete": [delete, both]}
    dispatcher = await delivered(subscriptions, "interview.finish", "interview.score-updated")
    assert {record.url for record in dispatcher.deliveries} == {finish, both}
    assert [len(receiver.bodies(url)) for url in (finish, both, delete)] == [1, 1, 0]


async def test_receiver_answering_500_twice_then_200_gets_three_attempts(receiver: Receiver) -> None:
    url = receiver.hook_url("flaky")
    dispatcher = await delivered(
        {"interview.status-change": [url]}, "interview.status-change", max_attempts=3
    )
    [record] = dispatcher.deliveries
    assert (record.state, record.status_code, record.attempts) == ("delivered", 200, 3)
    bodies = receiver.bodies(url)
    assert len(bodies) == 3
    assert len(set(bodies)) == 1, "a retry sends the very same bytes"


async def test_a_4xx_answer_is_not_retried(receiver: Receiver) -> None:
    url = receiver.hook_url("gone")
    dispatcher = await delivered({"interview.delete": [url]}, "interview.delete", max_attempts=3)
    [record] = dispatcher.deliveries
    assert (record.state, record.status_code, record.attempts) == ("failed", 410, 1)
    assert len(receiver.bodies(url)) == 1


async def test_an_unreachable_url_ends_as_an_error_record_without_hanging() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    dispatcher = await delivered({"interview.create": [url]}, "interview.create", max_attempts=2, timeout=1.0)
    [record] = dispatcher.deliveries
    assert (record.state, record.status_code, record.attempts) == ("failed", None, 2)
    assert record.error is not None
    assert record.error.startswith("ConnectError")


async def test_emit_returns_before_delivery_and_drain_waits_for_every_one(receiver: Receiver) -> None:
    blocked, quick = receiver.hook_url("block"), receiver.hook_url("ok")
    async with dispatcher_for({"interview.finish": [blocked, quick]}) as dispatcher:
        with anyio.fail_after(5):
            await dispatcher.emit("interview.finish", SNAPSHOT)
        assert dispatcher.pending == 2
        with pytest.raises(TimeoutError):
            await dispatcher.drain(timeout=0.05)
        receiver.release.set()
        with anyio.fail_after(5):
            await dispatcher.drain()
        assert dispatcher.pending == 0
        assert [record.state for record in dispatcher.deliveries] == ["delivered", "delivered"]


async def test_the_log_keeps_only_the_newest_deliveries_past_its_limit(receiver: Receiver) -> None:
    url = receiver.hook_url("ok")
    async with dispatcher_for({"interview.create": [url]}, log_limit=10) as dispatcher:
        for _ in range(12):
            await dispatcher.emit("interview.create", SNAPSHOT)
            with anyio.fail_after(5):
                await dispatcher.drain()
    ids = [record.id for record in dispatcher.deliveries]
    assert len(ids) <= 10
    assert ids[-1] == "wh12"
    assert len(receiver.bodies(url)) == 12


async def test_aclose_cancels_a_delivery_still_running_after_the_grace_and_records_it(
    receiver: Receiver,
) -> None:
    url = receiver.hook_url("block")
    dispatcher = dispatcher_for({"interview.finish": [url]})
    await dispatcher.emit("interview.finish", SNAPSHOT)
    with anyio.fail_after(5):
        await dispatcher.aclose(grace=0.05)
    assert dispatcher.pending == 0
    [record] = dispatcher.deliveries
    assert record.state == "failed"
    assert record.error is not None
    assert "cancelled" in record.error
    with pytest.raises(RuntimeError, match="closed"):
        await dispatcher.emit("interview.finish", SNAPSHOT)


async def test_dispatcher_in_a_served_app_is_drained_and_closed_from_another_thread(
    receiver: Receiver,
) -> None:
    url = receiver.hook_url("ok")
    dispatcher = dispatcher_for({"interview.score-updated": [url]})

    async def score(request: Request) -> JSONResponse:
        await dispatcher.emit("interview.score-updated", SNAPSHOT)
        return JSONResponse({"data": {"Interview": {"score": 4.5}}})

    app = Starlette(routes=[Route("/me", score, methods=["POST"]), *webhook_admin_routes(dispatcher)])
    with serving(app) as (sandbox_url, _server):
        async with httpx2.AsyncClient(base_url=sandbox_url, timeout=5.0, trust_env=False) as client:
            assert (await client.post("/me", json={"query": "mutation { x }"})).status_code == 200
            with anyio.fail_after(5):
                await dispatcher.drain()
            assert len(receiver.bodies(url)) == 1

            assert (await client.post("/me", json={"query": "mutation { x }"})).status_code == 200
            drained = await client.post("/_sandbox/webhooks/drain", params={"timeout": "5"})
            assert drained.json() == {"drained": True, "pending": 0}
            log = (await client.get("/_sandbox/webhooks/deliveries")).json()
            assert [entry["state"] for entry in log["deliveries"]] == ["delivered", "delivered"]
            assert json.loads(log["deliveries"][0]["body"])["event"] == "interview.score-updated"
            assert (await client.post("/_sandbox/webhooks/drain", params={"timeout": "x"})).status_code == 422
            filtered = await client.get("/_sandbox/webhooks/deliveries", params={"event": "interview.create"})
            assert filtered.json()["deliveries"] == []
            with anyio.fail_after(5):
                await dispatcher.aclose()
    assert len(receiver.bodies(url)) == 2
