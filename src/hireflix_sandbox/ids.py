"""Identifiers, URLs and timestamps shaped exactly like Hireflix's.

Ids are 24 lowercase hex characters (Mongo style), the interview `hash` is 8 base62 characters, share links
carry a UUID. Every generator takes a `random.Random` so demo data is reproducible from its seed; the live
sandbox passes a `random.SystemRandom`. Times are whole epoch milliseconds carried as floats.
"""

from __future__ import annotations

import random
import string
import time
import uuid

BASE62 = string.digits + string.ascii_letters

SHORT_URL = "https://hflx.io/c/{hash}"
PUBLIC_URL = "https://app.hireflix.com/{hash}"
PRIVATE_URL = "https://admin.hireflix.com/interviews/{id}"
SHARE_URL = "https://shared.hireflix.com/interview/{uuid}"
ANSWER_VIDEO_URL = "https://media.hireflix.com/interviews/{interview_id}/answers/{answer_id}.mp4"
ANSWER_THUMBNAIL_URL = "https://media.hireflix.com/interviews/{interview_id}/answers/{answer_id}.jpg"


def epoch_ms() -> float:
    """Now, in whole epoch milliseconds (the unit of every Hireflix timestamp)."""
    return float(time.time_ns() // 1_000_000)


def object_id(rng: random.Random) -> str:
    """A 24-hex id, the shape of every Hireflix id."""
    return f"{rng.getrandbits(96):024x}"


def interview_hash(rng: random.Random) -> str:
    """The 8-character base62 code in an interview's candidate URLs."""
    return "".join(rng.choice(BASE62) for _ in range(8))


def share_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (so share links in demo data are reproducible too)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def short_url(hash_: str) -> str:
    return SHORT_URL.format(hash=hash_)


def public_url(hash_: str) -> str:
    return PUBLIC_URL.format(hash=hash_)


def private_url(interview_id: str) -> str:
    return PRIVATE_URL.format(id=interview_id)


def interview_urls(hash_: str, interview_id: str) -> dict[str, str]:
    """An interview's `url` object: the candidate's short and public links, the team's private one."""
    return {"short": short_url(hash_), "public": public_url(hash_), "private": private_url(interview_id)}


def share_url(link_id: str) -> str:
    return SHARE_URL.format(uuid=link_id)


def answer_video_url(interview_id: str, answer_id: str) -> str:
    return ANSWER_VIDEO_URL.format(interview_id=interview_id, answer_id=answer_id)


def answer_thumbnail_url(interview_id: str, answer_id: str) -> str:
    return ANSWER_THUMBNAIL_URL.format(interview_id=interview_id, answer_id=answer_id)
