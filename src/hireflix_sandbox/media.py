"""The sandbox's media host: a real video and thumbnail for every recorded answer, served by the sandbox.

Answers are stored with Hireflix-shaped CDN URLs (`ids.answer_video_url`); the GraphQL views hand them out
rewritten to this server (`local_url`), so a browser playing an answer (the MCP Apps interview card) loads
it from the sandbox it talks to. Every answer plays the same short clip and poster
(`media/answer.webm`, `media/answer.jpg`, made once by scripts/make-sandbox-clip). Like a CDN link, the
media routes need no API key; they answer only for answers that exist.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route

from . import ids
from .store import AnswerRecord
from .store import Store

MEDIA_DIR = Path(__file__).resolve().parent / "media"
CLIP = MEDIA_DIR / "answer.webm"
POSTER = MEDIA_DIR / "answer.jpg"
CDN_PREFIX = ids.ANSWER_VIDEO_URL.split("{interview_id}", 1)[0]
"""What every stored answer URL starts with: 'https://media.hireflix.com/interviews/'."""
LOCAL_PATH = "media/interviews/"
MEDIA_PATH = "/" + LOCAL_PATH
_FILES = {"webm": (CLIP, "video/webm"), "jpg": (POSTER, "image/jpeg")}


def local_url(url: str, base: str | None) -> str:
    """A stored CDN URL as this sandbox serves it (`base` is the sandbox's own URL, ending in '/');
    other URLs, and every URL when `base` is None, unchanged."""
    if base is None or not url.startswith(CDN_PREFIX):
        return url
    rest = url[len(CDN_PREFIX) :]
    if rest.endswith(".mp4"):
        rest = rest[: -len(".mp4")] + ".webm"
    return f"{base}{LOCAL_PATH}{rest}"


def served(answers: list[AnswerRecord], base: str | None) -> list[AnswerRecord]:
    """`answers` with their video and thumbnail URLs pointing at this sandbox."""
    if base is None:
        return answers
    return [
        dataclasses.replace(a, url=local_url(a.url, base), thumbnail=local_url(a.thumbnail, base))
        for a in answers
    ]


def media_routes(store: Store) -> list[BaseRoute]:
    async def answer_media(request: Request) -> Response:
        interview_id = request.path_params["interview_id"]
        answer_id, _, extension = request.path_params["name"].partition(".")
        if extension not in _FILES or not store.has_answer(interview_id, answer_id):
            return JSONResponse({"error": "not_found", "message": "No such answer media"}, status_code=404)
        path, media_type = _FILES[extension]
        # FileResponse answers Range requests: a browser seeks in the video without loading all of it.
        return FileResponse(path, media_type=media_type, headers={"cache-control": "public, max-age=3600"})

    return [Route(MEDIA_PATH + "{interview_id}/answers/{name}", answer_media, methods=["GET", "HEAD"])]
