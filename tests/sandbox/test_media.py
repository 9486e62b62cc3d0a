"""The sandbox's media host (media.py): every recorded answer has a playable video and a thumbnail."""

from __future__ import annotations

import httpx2

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.media import CLIP
from hireflix_sandbox.media import POSTER
from hireflix_sandbox.media import local_url

QUERY = "query($id: String!) { interview(id: $id) { id thumbnail questions { answer { url thumbnail } } } }"


def _answer_urls(sandbox: RunningSandbox) -> tuple[str, str, str]:
    record = next(r for r in sandbox.store.all_interviews() if sandbox.store.answers(r.id))
    body = sandbox.graphql(QUERY, {"id": record.id})
    answer = body["data"]["interview"]["questions"][0]["answer"]
    return record.id, answer["url"], answer["thumbnail"]


def test_answer_urls_point_at_the_sandbox_and_serve_a_real_clip_without_the_key(
    sandbox: RunningSandbox,
) -> None:
    _, video, thumbnail = _answer_urls(sandbox)
    assert video.startswith(sandbox.base_url + "/media/")
    with httpx2.Client(trust_env=False, timeout=5.0) as http:  # no API key: a browser has none
        clip = http.get(video)
        poster = http.get(thumbnail)
        # Browsers seek with Range requests: a part is served as 206 with the exact bytes.
        part = http.get(video, headers={"range": "bytes=0-3"})
    assert clip.status_code == 200
    assert clip.headers["content-type"] == "video/webm"
    assert clip.content == CLIP.read_bytes()
    assert clip.content[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a WebM/Matroska file
    assert poster.headers["content-type"] == "image/jpeg"
    assert poster.content == POSTER.read_bytes()
    assert part.status_code == 206
    assert part.content == clip.content[:4]


def test_media_of_an_unknown_answer_is_not_found(sandbox: RunningSandbox) -> None:
    _, video, _ = _answer_urls(sandbox)
    other = video.rsplit("/", 1)[0] + "/" + "0" * 24 + ".webm"
    with httpx2.Client(trust_env=False, timeout=5.0) as http:
        assert http.get(other).status_code == 404
        assert http.get(video.removesuffix(".webm") + ".exe").status_code == 404


def test_only_hireflix_cdn_urls_are_rewritten() -> None:
    base = "http://127.0.0.1:9/"
    cdn = "https://media.hireflix.com/interviews/a1/answers/b2.mp4"
    assert local_url(cdn, base) == "http://127.0.0.1:9/media/interviews/a1/answers/b2.webm"
    assert local_url(cdn, None) == cdn
    assert local_url("https://example.com/interviews/a1/answers/b2.mp4", base).startswith(
        "https://example.com"
    )
