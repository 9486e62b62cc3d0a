"""A large account for benchmarks (`hireflix-mcp sandbox --demo-size N`): N recorded interviews with six
answers each, in English and Spanish, with word timings, added to the usual demo data.

Interviews come 200 to a position (half the positions in English, half in Spanish). Each answer is 4 to
16 sentences (about 300 to 1,700 characters, 2,000 to 10,000 a transcript, as real ones run), built from
templates whose slots draw on a few hundred skills, places and duties, so queries find some candidates
and not others; each interview's answers are drawn from `POOL` such answers per language. Deterministic
for a seed. Rows are written with `executemany`, each answer's word timings as JSON text directly.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from . import ids
from .records import new_interview_record
from .records import new_position_record
from .rules import DAY_MS
from .rules import InviteCandidate
from .store import PositionRecord
from .store import QuestionRecord
from .store import Store

PER_POSITION = 200
QUESTIONS = 6

_EN = {
    "roles": (
        "barista",
        "backend engineer",
        "warehouse associate",
        "nurse",
        "sales representative",
        "support agent",
        "data analyst",
        "line cook",
        "store manager",
        "delivery driver",
    ),
    "skills": (
        "Kubernetes",
        "Docker",
        "Python",
        "SQL",
        "Excel",
        "Salesforce",
        "espresso machines",
        "latte art",
        "forklifts",
        "inventory software",
        "Terraform",
        "React",
        "Zendesk",
        "cash handling",
        "Spanish",
        "first aid",
        "scheduling tools",
        "Tableau",
        "PostgreSQL",
        "AWS",
        "food safety",
        "Jira",
    ),
    "places": (
        "a busy coffee shop",
        "a logistics startup",
        "a hospital ward",
        "a call centre",
        "a bank",
        "a hotel",
        "a supermarket",
        "a restaurant",
        "a software agency",
        "a university",
    ),
    "shifts": ("night shifts", "weekend shifts", "early mornings", "rotating shifts", "split shifts"),
    "duties": (
        "training new staff",
        "closing the till",
        "on-call incidents",
        "monthly reporting",
        "customer complaints",
        "stock counts",
        "code reviews",
        "opening the store",
        "safety checks",
    ),
    "templates": (
        "I worked for {n} years as a {role} at {place}.",
        "Most of my time there I worked {shift}, so I am used to that rhythm.",
        "I have hands-on experience with {skill} and with {skill2}.",
        "In my last job I was responsible for {duty} and for {duty2}.",
        "One difficult moment was during {shift} when we were short of staff, and I stayed calm.",
        "I learned {skill} on the job and now I teach it to others.",
        "Customers often told me they appreciated how quickly I solved their problems.",
        "I like working in a team where people give each other honest feedback.",
        "When priorities collide I talk to the people involved and agree on what matters most.",
        "I am comfortable with {skill} but I still want to get better at {skill2}.",
        "Before that I spent {n} years at {place} doing {duty}.",
        "My strongest skill is staying organised when things go wrong.",
    ),
    "questions": (
        "Tell us about yourself.",
        "Describe your most relevant experience.",
        "Which tools do you use every day?",
        "Tell us about a difficult situation at work.",
        "Which shifts and hours can you work?",
        "Why do you want this job?",
    ),
}
_ES = {
    "roles": ("camarero", "ingeniera de software", "mozo de almacén", "enfermera", "comercial",
              "agente de soporte", "analista de datos", "cocinero", "encargada de tienda", "repartidor"),
    "skills": ("Kubernetes", "Docker", "Python", "SQL", "Excel", "Salesforce", "la máquina de café",
               "el arte latte", "carretillas elevadoras", "el programa de inventario", "atención al cliente",
               "la caja registradora", "primeros auxilios", "inglés", "la gestión de turnos", "PostgreSQL",
               "la seguridad alimentaria", "Jira"),
    "places": ("una cafetería muy concurrida", "una empresa de logística", "un hospital",
               "un centro de llamadas",
               "un banco", "un hotel", "un supermercado", "un restaurante", "una agencia de software"),
    "shifts": ("turnos de noche", "turnos de fin de semana", "turnos de mañana", "turnos rotativos"),
    "duties": ("formar al personal nuevo", "cerrar la caja", "las guardias", "los informes mensuales",
               "las quejas de clientes", "el recuento de existencias", "la revisión de código",
               "abrir la tienda", "los controles de seguridad"),
    "templates": (
        "Trabajé {n} años como {role} en {place}.",
        "Casi siempre hacía {shift}, así que estoy acostumbrada a ese ritmo.",
        "Tengo experiencia práctica con {skill} y con {skill2}.",
        "En mi último trabajo era responsable de {duty} y de {duty2}.",
        "Un momento difícil fue durante los {shift} cuando faltaba personal, y mantuve la calma.",
        "Aprendí {skill} en el trabajo y ahora se lo enseño a otros.",
        "Los clientes me decían que valoraban la rapidez con la que resolvía sus problemas.",
        "Me gusta trabajar en un equipo donde la gente se da opiniones sinceras.",
        "Cuando hay prioridades en conflicto hablo con todas las partes y acordamos un plan.",
        "Me manejo bien con {skill} pero quiero mejorar con {skill2}.",
        "Antes pasé {n} años en {place} encargándome de {duty}.",
        "Mi mayor fortaleza es mantener el orden cuando algo sale mal.",
    ),
    "questions": ("Preséntate brevemente.", "Describe tu experiencia más relevante.",
                  "¿Qué herramientas usas cada día?", "Cuéntanos una situación difícil en el trabajo.",
                  "¿Qué turnos y horarios puedes hacer?", "¿Por qué quieres este puesto?"),
}  # fmt: skip
_LANGUAGES = {"en": _EN, "es": _ES}
_FIRST = (
    "Lucía",
    "Mateo",
    "Sofía",
    "Hugo",
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ana",
    "Pablo",
    "Grace",
    "Omar",
    "Núria",
    "José",
    "Chloé",
    "Björn",
    "Ayşe",
    "Kenji",
    "Fatima",
    "Daniel",
    "Laura",
    "Elena",
    "Marco",
)
_LAST = ("García", "Müller", "Smith", "Johnson", "López", "Martínez", "Brown", "Taylor", "Rossi", "Novák",
         "Silva", "Costa", "Tanaka", "Khan", "Ortega", "Weber", "Clarke", "Fernández", "Álvarez",
         "Dubois")  # fmt: skip


def _sentence(rng: random.Random, lang: dict[str, tuple[str, ...]]) -> str:
    template = rng.choice(lang["templates"])
    return template.format(
        n=rng.randint(1, 9),
        role=rng.choice(lang["roles"]),
        place=rng.choice(lang["places"]),
        shift=rng.choice(lang["shifts"]),
        skill=rng.choice(lang["skills"]),
        skill2=rng.choice(lang["skills"]),
        duty=rng.choice(lang["duties"]),
        duty2=rng.choice(lang["duties"]),
    )


def answer_text(rng: random.Random, code: str) -> tuple[str, str, float]:
    """(text, word timings as JSON text, duration) of one answer."""
    lang = _LANGUAGES[code]
    text = " ".join(_sentence(rng, lang) for _ in range(rng.randint(4, 16)))
    clock = 0.3 + rng.random()
    parts = []
    for word in text.split(" "):
        length = 0.16 + 0.045 * len(word) + rng.random() * 0.08
        # Words hold no quote or backslash (the templates above), so they are JSON strings as they are.
        parts.append(f'{{"text":"{word}","start":{clock:.2f},"end":{clock + length:.2f}}}')
        clock += length + 0.04 + rng.random() * 0.08
        if word[-1] in ".?!":
            clock += 0.3 + rng.random() * 0.4
    return text, "[" + ",".join(parts) + "]", round(clock + 1.0, 1)


POOL = 1500
"""Distinct answers made per language; each interview's answers are drawn from them (making every one of
60,000 answers afresh, word timings and all, would take minutes)."""


def add_large_account(store: Store, size: int, *, seed: int, now_ms: float) -> None:
    """Add `size` recorded interviews (six answers each) in new positions of up to 200 interviews."""
    rng = random.Random(seed * 7919 + size)
    pools = {
        code: [answer_text(rng, code) for _ in range(min(POOL, size * QUESTIONS))] for code in ("en", "es")
    }
    remaining, serial = size, 0
    with store.transaction():
        while remaining > 0:
            count = min(PER_POSITION, remaining)
            code = "en" if serial % 2 == 0 else "es"
            lang = _LANGUAGES[code]
            position = _position(store, rng, serial, code, now_ms)
            questions = [
                QuestionRecord(ids.object_id(rng), position.id, i, title, None, 120, 30, 1)
                for i, title in enumerate(lang["questions"][:QUESTIONS])
            ]
            for question in questions:
                store.insert(question)
            _interviews(store, rng, position, questions, pools[code], count, serial)
            remaining -= count
            serial += 1


def _position(store: Store, rng: random.Random, serial: int, code: str, now_ms: float) -> PositionRecord:
    lang = _LANGUAGES[code]
    role = lang["roles"][serial % len(lang["roles"])]
    position = new_position_record(
        ids.object_id(rng),
        f"{role.capitalize()} #{serial + 1}",
        at=now_ms - (300 - serial % 250) * DAY_MS,
        location="Madrid" if code == "es" else "London",
        language=code,
        tags=["bench"],
        retakes=1,
    )
    store.insert(position)
    return position


def _interviews(
    store: Store,
    rng: random.Random,
    position: PositionRecord,
    questions: Sequence[QuestionRecord],
    pool: Sequence[tuple[str, str, float]],
    count: int,
    serial: int,
) -> None:
    code = position.language or "en"
    answers: list[tuple[object, ...]] = []
    for i in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        created = position.created_at + DAY_MS + i * 3_600_000.0
        completed = created + rng.uniform(1, 48) * 3_600_000.0
        status = rng.random()
        invited = new_interview_record(
            position,
            InviteCandidate(email=f"c{serial}.{i}@bench.example.com", first_name=first, last_name=last),
            interview_id=ids.object_id(rng),
            hash_=ids.interview_hash(rng),
            at=created,
            disable_notifications=True,
        )
        record = dataclasses.replace(
            invited,
            status="completed",
            completed_at=completed,
            updated_at=completed + 3_600_000.0,
            finalist=completed + 3_600_000.0 if status < 0.15 else None,
            archived=completed + 3_600_000.0 if 0.15 <= status < 0.35 else None,
        )
        store.insert(record)
        for offset, question in enumerate(questions):
            text, words, duration = pool[rng.randrange(len(pool))]
            answer_id = ids.object_id(rng)
            answers.append(
                (
                    answer_id,
                    record.id,
                    question.id,
                    ids.answer_video_url(record.id, answer_id),
                    ids.answer_thumbnail_url(record.id, answer_id),
                    duration,
                    code,
                    text,
                    words,
                    completed - 600_000.0 + offset * 1000.0,
                )
            )
    store.insert_rows(
        "answers",
        ("id", "interview_id", "question_id", "url", "thumbnail", "duration", "language_code", "text",
         "words",
         "created_at"),
        answers,
    )  # fmt: skip
