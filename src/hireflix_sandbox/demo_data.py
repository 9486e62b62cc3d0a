"""Deterministic demo data: the same seed gives the same ids, names, answers, transcripts and scores
(the webhook secret alone is random: it is a credential).

Timestamps are offsets from the moment of seeding (so recent audit entries stay inside the two-month
window and pending interviews have not expired); everything else, including the relative order of
timestamps, depends only on the seed. Only an empty database is ever seeded.

Seed 1 contains six positions (one archived), 3-5 questions each, 66 interviews in every filter status,
answers with video/thumbnail URLs and word-timed transcripts in English and Spanish, scores (with half
steps), comments, shared links, four team members, one (inactive) webhook and 30 audit entries of which
6 are older than two months.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from . import ids
from .candidate import GEOLOCATION
from .candidate import USER_AGENTS
from .candidate import geolocate
from .candidate import make_answers
from .records import new_interview_record
from .records import new_position_record
from .rules import DAY_MS
from .rules import FilterStatus
from .rules import InviteCandidate
from .store import AuditRecord
from .store import CommentRecord
from .store import CompanyRecord
from .store import MemberRecord
from .store import MemberScoreRecord
from .store import PositionRecord
from .store import QuestionRecord
from .store import Store
from .store import WebhookRecord

HOUR_MS = 3_600_000.0
MINUTE_MS = 60_000.0

COMPANY_NAME = "Acme Talent"


def new_webhook_secret() -> str:
    """A company's webhook signing secret: random, made once with its database and kept there. Never
    derived from the seed, so reading this code does not let anyone sign events a sandbox accepts."""
    return "whsec_" + secrets.token_hex(20)


# ---------------------------------------------------------------- people and positions

_MEMBERS = (
    ("Alex Rivera", "alex.rivera@acme-talent.example", "owner"),
    ("Priya Natarajan", "priya.natarajan@acme-talent.example", "admin"),
    ("Jordi Puig", "jordi.puig@acme-talent.example", "member"),
    ("Élodie Martin", "elodie.martin@acme-talent.example", "member"),
)

_FIRST_NAMES = (
    "María José", "Lucía", "Chloé", "Björn", "Zoë", "Łukasz", "Siobhán", "Ayşe", "François", "Nguyễn",
    "Ólafur", "Søren", "Amélie", "José", "Núria", "Renée", "Mateo", "Olivia", "Liam", "Emma", "Noah", "Ava",
    "Sofía", "Hugo", "Ines", "Yusuf", "Mei", "Kenji", "Aarav", "Fatima", "Tomás", "Ana", "Pablo", "Grace",
    "Daniel", "Laura", "Omar", "Hannah", "Marco", "Elena",
)  # fmt: skip
_LAST_NAMES = (
    "García", "Müller", "Dubois", "Andersson", "Wróbel", "Ní Bhriain", "Yılmaz", "Lefèvre", "Thị Lan",
    "Jónsson", "Nielsen", "Fernández", "Puig i Serra", "O'Connor", "Smith", "Johnson", "Rossi", "Novák",
    "Kowalski", "Silva", "Costa", "Tanaka", "Sato", "Khan", "Haddad", "López", "Martínez", "Brown", "Taylor",
    "Moreau", "Schmidt", "Álvarez", "Ortega", "Weber", "Clarke",
)  # fmt: skip
_DOMAINS = ("example.com", "example.org", "mail.example.net", "correo.example.es")
_ASCII_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "đ": "d", "ı": "i",
                             "'": "", " ": ""})  # fmt: skip


@dataclass(frozen=True, slots=True)
class _PositionSpec:
    name: str
    description: str
    location: str
    language: str
    tags: tuple[str, ...]
    questions: tuple[str, ...]
    interviews: int
    archived: bool = False


_POSITIONS = (
    _PositionSpec(
        "Social Media Manager",
        "Own our brand voice across social channels and grow an engaged community.",
        "Remote (EU)",
        "en",
        ("marketing", "remote"),
        (
            "Tell us about yourself and why this role interests you.",
            "Walk us through a campaign you ran from idea to results.",
            "How do you handle a negative comment that starts to go viral?",
            "Which metrics do you report to leadership every month, and why?",
        ),
        16,
    ),
    _PositionSpec(
        "Senior Backend Engineer",
        "Design and run the services behind our hiring platform (Python, PostgreSQL, queues).",
        "Barcelona, Spain",
        "en",
        ("engineering", "python"),
        (
            "Describe a system you designed that you are proud of.",
            "Tell us about a production incident you handled end to end.",
            "How do you decide when a piece of code needs tests?",
            "How do you review a colleague's pull request?",
            "What would you improve first in a codebase you just joined?",
        ),
        14,
    ),
    _PositionSpec(
        "Especialista en Atención al Cliente",
        "Atiende a nuestros clientes por chat, correo y teléfono, y ayuda a mejorar el producto.",
        "Madrid, España",
        "es",
        ("soporte", "clientes"),
        (
            "Preséntate y cuéntanos por qué te interesa este puesto.",
            "Describe una situación difícil con un cliente y cómo la resolviste.",
            "¿Cómo organizas tu día cuando hay muchas consultas pendientes?",
        ),
        12,
    ),
    _PositionSpec(
        "Sales Development Representative",
        "Open conversations with new customers and book qualified meetings for the sales team.",
        "London, United Kingdom",
        "en",
        ("sales",),
        (
            "Pitch us a product you love in under a minute.",
            "How do you research a prospect before the first call?",
            "Tell us about a time you turned a 'no' into a 'yes'.",
        ),
        10,
    ),
    _PositionSpec(
        "Diseñador/a UX",
        "Investiga, prototipa y diseña flujos sencillos para candidatos y reclutadores.",
        "Valencia, España",
        "es",
        ("diseño", "producto"),
        (
            "Muéstranos con palabras tu proyecto favorito de tu portafolio.",
            "¿Cómo validas una idea de diseño con usuarios reales?",
            "Cuéntanos una ocasión en la que cambiaste de opinión gracias a los datos.",
            "¿Cómo colaboras con el equipo de ingeniería?",
        ),
        8,
    ),
    _PositionSpec(
        "Summer Intern 2024",
        "A ten-week internship rotating through marketing, sales and support.",
        "Remote",
        "en",
        ("internship",),
        (
            "Why do you want to join us for the summer?",
            "Tell us about something you taught yourself recently.",
            "Where do you see yourself after your studies?",
        ),
        6,
        archived=True,
    ),
)

_COMMENTS = (
    "Clear and structured answers, strong communication.",
    "Good examples, a bit light on metrics.",
    "Great culture fit; let's move to the next round.",
    "Audio was poor in the second answer, but the content is solid.",
    "Not enough experience with our stack yet.",
    "Muy buena actitud, respuestas concretas.",
    "Strong candidate, compare with the other finalists.",
    "Answered every question with real examples.",
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return folded.encode("ascii", "ignore").decode().lower()


# ---------------------------------------------------------------- bootstrap


def bootstrap(store: Store, *, seed: int, demo: bool, now_ms: float) -> None:
    """Give an empty store its company and owner and, with `demo`, the full demo data."""
    rng = random.Random(seed)
    now_ms = float(round(now_ms))
    with store.transaction():
        members = [
            MemberRecord(
                id=ids.object_id(rng),
                name=name,
                email=email,
                type=kind,
                deleted=False,
                created_at=now_ms - (400 - index * 30) * DAY_MS,
            )
            for index, (name, email, kind) in enumerate(_MEMBERS if demo else _MEMBERS[:1])
        ]
        for member in members:
            store.insert(member)
        store.insert(
            CompanyRecord(
                id=ids.object_id(rng),
                name=COMPANY_NAME,
                owner_id=members[0].id,
                webhook_secret=new_webhook_secret(),
                created_at=now_ms - 420 * DAY_MS,
            )
        )
        if demo:
            _DemoBuilder(store, rng, now_ms, members).build()


_STATUS_CYCLE: tuple[FilterStatus, ...] = ("pending", "to_evaluate", "shortlisted", "discarded")


class _DemoBuilder:
    def __init__(self, store: Store, rng: random.Random, now: float, members: list[MemberRecord]) -> None:
        self.store = store
        self.rng = rng
        self.now = now
        self.members = members
        self.used_names: set[tuple[str, str]] = set()
        self.interview_serial = 0
        self.audit: list[AuditRecord] = []

    def build(self) -> None:
        for index, spec in enumerate(_POSITIONS):
            self._position(index, spec)
        self._webhook()
        self._audit_entries()

    # ------------------------------------------------------------ positions

    def _position(self, index: int, spec: _PositionSpec) -> None:
        rng = self.rng
        # Older positions first; the archived one is the oldest of all.
        created = self.now - (120 - index * 9 if not spec.archived else 200) * DAY_MS
        # In the order the random draws were always made, so the demo data stays the same.
        position_id = ids.object_id(rng)
        updated = created + rng.randint(1, 20) * DAY_MS if not spec.archived else created + 60 * DAY_MS
        made = new_position_record(
            position_id,
            spec.name,
            at=created,
            description=spec.description,
            location=spec.location,
            language=spec.language,
            tags=spec.tags,
            retakes=rng.choice((1, 2, 3)),
            time_to_answer=rng.choice((90, 120, 180)),
            time_to_think=rng.choice((20, 30, 45)),
        )
        # Edited since; the archived one was archived two months after it was made.
        archived = created + 60 * DAY_MS if spec.archived else None
        position = dataclasses.replace(made, archived=archived, updated_at=updated)
        self.store.insert(position)
        questions = [
            QuestionRecord(
                id=ids.object_id(rng),
                position_id=position.id,
                idx=q_index,
                title=title,
                description=None if q_index % 2 else "Take your time; one or two minutes is plenty.",
                time_to_answer=position.time_to_answer,
                time_to_think=position.time_to_think,
                retakes=position.retakes,
            )
            for q_index, title in enumerate(spec.questions)
        ]
        for question in questions:
            self.store.insert(question)
        statuses = list(_STATUS_CYCLE) + [
            rng.choice(_STATUS_CYCLE) for _ in range(spec.interviews - len(_STATUS_CYCLE))
        ]
        rng.shuffle(statuses)
        # Interviews of archived positions date from when the position was live.
        newest = position.archived - 5 * DAY_MS if position.archived is not None else self.now - HOUR_MS
        span = (newest - created - DAY_MS) / spec.interviews
        for i, status in enumerate(statuses):
            created_at = float(round(created + DAY_MS + span * i + rng.uniform(0, span * 0.8), -3) + i)
            self._interview(position, questions, status, created_at)

    # ------------------------------------------------------------ interviews

    def _candidate_name(self) -> tuple[str, str]:
        while True:
            name = (self.rng.choice(_FIRST_NAMES), self.rng.choice(_LAST_NAMES))
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _interview(
        self,
        position: PositionRecord,
        questions: list[QuestionRecord],
        status: FilterStatus,
        created_at: float,
    ) -> None:
        rng = self.rng
        self.interview_serial += 1
        serial = self.interview_serial
        first, last = self._candidate_name()
        email = f"{_ascii(first)}.{_ascii(last)}@{rng.choice(_DOMAINS)}"
        if serial % 11 == 0:
            email = email.title()  # a few mixed-case addresses: duplicates are found case-insensitively
        interview_id = ids.object_id(rng)
        hash_ = ids.interview_hash(rng)
        completed = status in ("to_evaluate", "shortlisted") or (status == "discarded" and rng.random() < 0.7)
        latest = position.archived if position.archived is not None else self.now
        completed_at = None
        if completed:
            completed_at = float(round(min(created_at + rng.uniform(2, 96) * HOUR_MS, latest - HOUR_MS)))
        reviewed_at = (completed_at or created_at) + rng.uniform(1, 48) * HOUR_MS
        reviewed_at = float(round(min(reviewed_at, latest - 30 * MINUTE_MS)))
        finalist = reviewed_at if status == "shortlisted" else None
        archived = reviewed_at if status == "discarded" else None
        score = self._score(status) if completed else None
        ips: list[str] = []
        agents: list[str] = []
        if completed:
            ips = rng.sample(sorted(GEOLOCATION), rng.choice((1, 1, 2)))
            # Candidates often reload the page: the raw log repeats agents, the API deduplicates them.
            raw_agents = [rng.choice(USER_AGENTS) for _ in range(rng.randint(1, 3))]
            agents = list(dict.fromkeys(raw_agents))
        metadata: dict[str, Any] = {}
        if serial % 3 == 0:
            metadata = {
                "source": rng.choice(("linkedin", "referral", "careers-page")),
                "requisition": f"REQ-{1000 + serial}",
            }
        if serial % 7 == 0:
            metadata["ats"] = {"candidateId": f"cand-{serial:04d}", "stage": {"name": "Video screening"}}
        share_id = share_url = share_expires = None
        if completed and serial % 5 == 0:
            share_id = ids.share_uuid(rng)
            share_url = ids.share_url(share_id)
            shared_at = (completed_at or created_at) + HOUR_MS
            share_expires = shared_at + (75 if serial % 10 else 7) * DAY_MS
        updated_at = max(t for t in (created_at, completed_at, finalist, archived) if t is not None)
        candidate = InviteCandidate(
            email=email,
            first_name=first,
            last_name=last if serial % 13 else None,
            phone=f"+34{rng.randint(600000000, 699999999)}" if serial % 4 == 0 else None,
            external_id=f"ats-{10000 + serial}" if serial % 2 == 0 else None,
            metadata=metadata or None,
        )
        invited = new_interview_record(
            position,
            candidate,
            interview_id=interview_id,
            hash_=hash_,
            at=created_at,
            disable_notifications=serial % 6 == 0,
            invite_source=rng.choice(("API", "API", "DASHBOARD", "PUBLIC_LINK")),
        )
        record = dataclasses.replace(
            invited,
            status="completed" if completed else "pending",
            updated_at=updated_at,
            completed_at=completed_at,
            finalist=finalist,
            archived=archived,
            score=score,
            ip_addresses=ips,
            user_agents=agents,
            geolocation=[geolocate(ip) for ip in ips],
            share_id=share_id,
            share_url=share_url,
            share_expires=share_expires,
        )
        self.store.insert(record)
        if completed_at is not None:
            for answer in make_answers(
                interview_id, questions, position.language, rng, completed_at - 10 * MINUTE_MS
            ):
                self.store.insert(answer)
        if score is not None:
            scorer = self.members[serial % len(self.members)]
            self.store.insert(
                MemberScoreRecord(
                    id=ids.object_id(rng),
                    interview_id=interview_id,
                    scorer_id=scorer.id,
                    value=score,
                    created_at=reviewed_at - MINUTE_MS,
                    updated_at=reviewed_at - MINUTE_MS,
                )
            )
        if completed and serial % 3 != 1:
            for c_index in range(rng.randint(1, 2)):
                author = self.members[(serial + c_index) % len(self.members)]
                at = reviewed_at - (c_index + 2) * MINUTE_MS
                self.store.insert(
                    CommentRecord(
                        id=ids.object_id(rng),
                        interview_id=interview_id,
                        author_id=author.id,
                        value=rng.choice(_COMMENTS),
                        created_at=at,
                        updated_at=at,
                    )
                )

    def _score(self, status: FilterStatus) -> float | None:
        rng = self.rng
        if status == "shortlisted":
            return rng.choice((4.0, 4.5, 5.0))
        if status == "discarded":
            return rng.choice((1.0, 1.5, 2.0, 2.5))
        if rng.random() < 0.6:
            return rng.choice((2.5, 3.0, 3.5, 4.0))
        return None

    # ------------------------------------------------------------ webhook and audit log

    def _webhook(self) -> None:
        # Inactive on purpose: a fresh sandbox must not POST anywhere until the user asks it to.
        self.store.insert(
            WebhookRecord(
                id=ids.object_id(self.rng),
                url="https://hooks.example.com/hireflix",
                events=["interview.finish", "interview.status-change"],
                active=False,
                external="demo",
                created_at=self.now - 90 * DAY_MS,
                updated_at=self.now - 45 * DAY_MS,
            )
        )

    def _audit_entries(self) -> None:
        rng = self.rng
        owner = self.members[0]
        positions = self.store.positions()
        interviews = self.store.all_interviews()
        actions = (
            ("user.login-with-company", "MEMBER", "ADMIN"),
            ("position.update", "POSITION", "ADMIN"),
            ("interview.create", "INTERVIEW", "API_KEY"),
            ("interview.score", "INTERVIEW", "ADMIN"),
            ("interview.shortlist", "INTERVIEW", "ADMIN"),
            ("interview.comment", "INTERVIEW", "ADMIN"),
            ("interview.share", "INTERVIEW", "API_KEY"),
            ("interview.view", "INTERVIEW", "WEBAPP_INTERVIEW_SHAREABLE_LINK"),
        )
        # 24 entries inside the two-month window, 6 well outside it (which the API must not return).
        ages = [rng.uniform(0.05, 55) for _ in range(24)] + [rng.uniform(65, 150) for _ in range(6)]
        for age in ages:
            action, object_type, medium = rng.choice(actions)
            if object_type == "POSITION":
                object_id = rng.choice(positions).id
            elif object_type == "INTERVIEW":
                object_id = rng.choice(interviews).id
            else:
                object_id = owner.id
            actor = owner if medium != "WEBAPP_INTERVIEW_SHAREABLE_LINK" else None
            self.store.insert(
                AuditRecord(
                    id=ids.object_id(rng),
                    actor_id=actor.id if actor else None,
                    actor_email=actor.email if actor else None,
                    timestamp=float(round(self.now - age * DAY_MS)),
                    object={"id": object_id, "type": object_type},
                    ip=rng.choice(sorted(GEOLOCATION)),
                    action=action,
                    host="api.hireflix.com" if medium == "API_KEY" else "app.hireflix.com",
                    referer=None if medium == "API_KEY" else "https://app.hireflix.com/",
                    medium=medium,
                )
            )
