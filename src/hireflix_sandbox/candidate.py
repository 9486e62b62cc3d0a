"""The candidate's side of an interview, which the company API cannot drive, simulated: recorded answers
with word-timed transcripts, where the candidate answered from, and completing an interview.

The demo data records its completed interviews with the same generators; each takes a `random.Random`, so
the same seed records the same answers.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any

from . import ids
from .backend import NotFound
from .store import AnswerRecord
from .store import InterviewRecord
from .store import QuestionRecord
from .store import Store


class InterviewStateError(Exception):
    """An admin action that does not fit the interview's state (e.g. completing it twice)."""


# ---------------------------------------------------------------- transcripts

_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "Thank you for the opportunity to introduce myself.",
        "In my last role I led a small team through a complete redesign of our onboarding.",
        "I care a lot about clear communication and written documentation.",
        "One project I am proud of cut our response time in half within three months.",
        "When priorities collide I talk to the people involved and agree on what matters most this week.",
        "I learned to ask for feedback early instead of waiting for a finished result.",
        "Our customers told us the new process felt much simpler.",
        "I enjoy turning messy data into a plan that everyone can follow.",
        "The hardest part was convincing stakeholders to try a smaller first version.",
        "Looking back, I would involve the support team from the very first day.",
        "I am excited about this position because it combines analysis and people work.",
        "Outside of work I volunteer as a mentor for people changing careers.",
        "My strongest skill is staying calm and structured when things go wrong.",
        "I measure success by how much easier the work becomes for the rest of the team.",
        "In five years I hope to be leading a team that ships with confidence.",
    ),
    "es": (
        "Muchas gracias por la oportunidad de presentarme.",
        "En mi último puesto coordiné un equipo pequeño durante el rediseño de la atención al cliente.",
        "Para mí la comunicación clara es lo más importante en cualquier proyecto.",
        "Un logro del que estoy orgulloso es haber reducido a la mitad el tiempo de respuesta.",
        "Cuando hay prioridades en conflicto hablo con todas las partes y acordamos un plan.",
        "Aprendí a pedir opiniones pronto en lugar de esperar al resultado final.",
        "Los clientes nos dijeron que el nuevo proceso era mucho más sencillo.",
        "Disfruto convirtiendo datos desordenados en un plan que todos pueden seguir.",
        "Lo más difícil fue convencer a la dirección de probar una versión más pequeña.",
        "Si lo repitiera, incluiría al equipo de soporte desde el primer día.",
        "Me ilusiona este puesto porque combina el análisis con el trato con personas.",
        "Fuera del trabajo colaboro como mentora de personas que cambian de profesión.",
        "Mi mayor fortaleza es mantener la calma y el orden cuando algo sale mal.",
        "Mido el éxito por lo mucho que se facilita el trabajo del resto del equipo.",
        "Dentro de cinco años me gustaría liderar un equipo que trabaje con confianza.",
    ),
}


@dataclass(frozen=True, slots=True)
class Transcript:
    language_code: str
    text: str
    words: list[dict[str, Any]]
    duration: float


def make_transcript(language: str | None, rng: random.Random) -> Transcript:
    """A short answer in `language` ("en" or "es"; others fall back to English) with word timings."""
    code = language if language in _SENTENCES else "en"
    sentences = rng.sample(_SENTENCES[code], rng.randint(2, 5))
    words: list[dict[str, Any]] = []
    clock = round(rng.uniform(0.3, 1.2), 2)
    for sentence in sentences:
        for word in sentence.split():
            length = round(0.16 + 0.045 * len(word) + rng.uniform(0.0, 0.08), 2)
            words.append({"text": word, "start": clock, "end": round(clock + length, 2)})
            clock = round(clock + length + rng.uniform(0.04, 0.12), 2)
        clock = round(clock + rng.uniform(0.3, 0.7), 2)
    duration = round(clock + rng.uniform(0.5, 1.5), 1)
    return Transcript(language_code=code, text=" ".join(sentences), words=words, duration=duration)


def make_answers(
    interview_id: str, questions: list[QuestionRecord], language: str | None, rng: random.Random, at: float
) -> list[AnswerRecord]:
    """One recorded answer per question, with a CDN-shaped video and thumbnail and a transcript."""
    answers = []
    for offset, question in enumerate(questions):
        answer_id = ids.object_id(rng)
        transcript = make_transcript(language, rng)
        answers.append(
            AnswerRecord(
                id=answer_id,
                interview_id=interview_id,
                question_id=question.id,
                url=ids.answer_video_url(interview_id, answer_id),
                thumbnail=ids.answer_thumbnail_url(interview_id, answer_id),
                duration=transcript.duration,
                language_code=transcript.language_code,
                text=transcript.text,
                words=transcript.words,
                created_at=at + offset * 1000.0,
            )
        )
    return answers


# ---------------------------------------------------------------- geolocation

# Documentation address ranges (RFC 5737), so no real person's address appears in demo data.
GEOLOCATION: dict[str, dict[str, Any]] = {
    "203.0.113.17": {"country": "Spain", "countryCode": "ES", "region": "Catalonia", "city": "Barcelona",
                     "latitude": 41.3874, "longitude": 2.1686},
    "203.0.113.88": {"country": "Spain", "countryCode": "ES", "region": "Madrid", "city": "Madrid",
                     "latitude": 40.4168, "longitude": -3.7038},
    "198.51.100.23": {"country": "United Kingdom", "countryCode": "GB", "region": "England", "city": "London",
                      "latitude": 51.5072, "longitude": -0.1276},
    "198.51.100.140": {"country": "United States", "countryCode": "US", "region": "New York",
                       "city": "New York", "latitude": 40.7128, "longitude": -74.006},
    "192.0.2.55": {"country": "Germany", "countryCode": "DE", "region": "Berlin", "city": "Berlin",
                   "latitude": 52.52, "longitude": 13.405},
    "192.0.2.201": {"country": "Mexico", "countryCode": "MX", "region": "Ciudad de México",
                    "city": "Ciudad de México", "latitude": 19.4326, "longitude": -99.1332},
}  # fmt: skip


def geolocate(ip: str) -> dict[str, Any]:
    """The IP-derived location Hireflix reports; unknown (e.g. loopback) addresses have no location."""
    known = GEOLOCATION.get(ip)
    if known is None:
        return {"ip": ip, "country": None, "countryCode": None, "region": None, "city": None,
                "latitude": None, "longitude": None}  # fmt: skip
    return {"ip": ip, **known}


USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
    "Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
)


# ---------------------------------------------------------------- completing an interview


def complete_interview(
    store: Store,
    interview_id: str,
    *,
    now: float,
    ip: str | None = None,
    user_agent: str | None = None,
) -> InterviewRecord:
    """Simulate the candidate recording every answer: the interview becomes completed, with transcripts."""
    with store.transaction():
        interview = store.interview(interview_id)
        if interview is None:
            raise NotFound(f"Interview {interview_id} not found")
        if interview.completed:
            raise InterviewStateError(f"Interview {interview_id} is already completed")
        questions = store.questions(interview.position_id)
        # Answers are reproducible per interview, so a completed sandbox interview reads the same every time.
        answer_rng = random.Random(interview.id)
        for answer in make_answers(interview.id, questions, interview.language, answer_rng, now):
            store.insert(answer)
        ips = list(dict.fromkeys([*interview.ip_addresses, *([ip] if ip else [])]))
        agents = list(dict.fromkeys([*interview.user_agents, *([user_agent] if user_agent else [])]))
        completed = dataclasses.replace(
            interview,
            status="completed",
            completed_at=now,
            updated_at=now,
            ip_addresses=ips,
            user_agents=agents,
            geolocation=[geolocate(address) for address in ips],
        )
        store.save(completed)
    return completed
