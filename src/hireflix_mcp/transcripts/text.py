"""Answer text as the index sees it: tokens, their normal form per language, when each was said, sentences,
and the snippet of a hit.

A token is a run of letters and digits (apostrophes inside a word join it: "don't" is one token). Its
normal form is case-folded with accents removed, then stemmed for English or Spanish (Snowball, the same
algorithms PostgreSQL's `english` and `spanish` configurations use), unstemmed for any other language. The
query goes through the same function, so "Gestión", "gestion" and "GESTIONES" meet.

Times come from the word timings Hireflix returns: each token of the text is aligned with the word it was
said in, and its start is kept in deciseconds (`pack_times`), two bytes a token.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from array import array
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hireflix_mcp.hireflix import models as hx

Lang = Literal["en", "es", "other"]
LANGUAGES: tuple[Lang, ...] = ("en", "es", "other")

TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
UNKNOWN_TIME = 0xFFFF
MAX_STEM_CACHE = 200_000


def language_of(code: str | None) -> Lang:
    """The index's language bucket for a transcription's language code ("en-US" is English)."""
    prefix = (code or "").lower()[:2]
    return "en" if prefix == "en" else "es" if prefix == "es" else "other"


def fold(token: str) -> str:
    """Case-folded, accents removed, apostrophes dropped: the unstemmed normal form."""
    text = token.casefold().replace("'", "").replace("’", "")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.cache
def _stemmer(lang: Lang) -> Callable[[str], str]:
    if lang == "other":
        return lambda word: word
    # Imported on first use: only indexing and searching need it.
    if lang == "en":
        from snowballstemmer.english_stemmer import EnglishStemmer

        stem_word = EnglishStemmer().stemWord
    else:
        from snowballstemmer.spanish_stemmer import SpanishStemmer

        stem_word = SpanishStemmer().stemWord
    cache: dict[str, str] = {}
    # A Snowball stemmer keeps the word being stemmed in its own state: two threads stemming at once (the
    # index is written from worker threads) corrupt each other's word, so one at a time.
    lock = threading.Lock()

    def stem(word: str) -> str:
        found = cache.get(word)
        if found is None:
            if len(cache) > MAX_STEM_CACHE:
                cache.clear()
            with lock:
                stemmed = stem_word(word)
            found = cache[word] = fold(stemmed)
        return found

    return stem


def normal(token: str, lang: Lang) -> str:
    """A token's normal form in `lang` (what is indexed and what a query term is compared with)."""
    return _stemmer(lang)(fold(token))


def normals(text: str, lang: Lang) -> list[str]:
    stem = _stemmer(lang)
    return [stem(fold(token)) for token in TOKEN.findall(text)]


# ------------------------------------------------------------------------------------------------ times


def token_times(text: str, words: Sequence[hx.TranscriptWord] | None) -> list[float | None] | None:
    """When each token of `text` was said (seconds), aligned with the word timings; None without them.

    The words usually spell the text token for token; where they do not (punctuation glued differently,
    a word the transcriber merged) a token takes the time of the nearest word with the same form a few
    words ahead, else of the next word.
    """
    if not words:
        return None
    said: list[tuple[str, float | None]] = []
    for word in words:
        said += [(fold(token), word.start) for token in TOKEN.findall(word.text or "")]
    times: list[float | None] = []
    at = 0
    last: float | None = None
    for token in TOKEN.findall(text):
        form = fold(token)
        for ahead in range(at, min(at + 6, len(said))):
            if said[ahead][0] == form:
                at = ahead + 1
                last = said[ahead][1] if said[ahead][1] is not None else last
                break
        else:  # no such word nearby: the next word's time, as the text and the words run side by side
            if at < len(said):
                last = said[at][1] if said[at][1] is not None else last
                at += 1
        times.append(last)
    return times


def pack_times(times: Sequence[float | None] | None) -> bytes | None:
    if times is None:
        return None
    packed = array("H", (UNKNOWN_TIME if t is None else min(max(round(t * 10), 0), 0xFFFE) for t in times))
    return packed.tobytes()


def unpack_times(blob: bytes | None) -> list[float | None] | None:
    if blob is None:
        return None
    packed = array("H")
    packed.frombytes(bytes(blob))
    return [None if v == UNKNOWN_TIME else v / 10 for v in packed]


def clock(seconds: float | None) -> str:
    """Seconds as mm:ss (h:mm:ss past an hour), the form citations use."""
    if seconds is None:
        return "--:--"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


# ------------------------------------------------------------------------------------------------ snippets


@dataclass(frozen=True)
class Sentence:
    start_s: float | None
    text: str


def sentences(text: str, times: Sequence[float | None] | None) -> list[Sentence]:
    """The answer split into sentences, each with when it starts (from its first token)."""
    found: list[Sentence] = []
    token_at = 0
    starts = [m.start() for m in TOKEN.finditer(text)]
    position = 0
    for piece in SENTENCE_END.split(text):
        begin = text.find(piece, position)
        position = begin + len(piece)
        while token_at < len(starts) and starts[token_at] < begin:
            token_at += 1
        first = token_at if token_at < len(starts) and starts[token_at] < position else None
        start = times[first] if times is not None and first is not None and first < len(times) else None
        if piece.strip():
            found.append(Sentence(start, piece.strip()))
    return found


MARK_OPEN, MARK_CLOSE = "[[", "]]"


def snippet(text: str, marked: Iterable[int], *, centre: int, width: int = 28) -> str:
    """About `width` tokens of `text` around token `centre`, the tokens in `marked` in [[double brackets]],
    on one line, with … where it was cut."""
    spans = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
    if not spans:
        return ""
    first = max(0, min(centre - width // 3, len(spans) - width))
    last = min(len(spans), first + width) - 1
    begin = spans[first][0]
    end = spans[last][1]
    # Keep the punctuation that closes the last token's sentence.
    while end < len(text) and text[end] in ".,;:!?…)\"'»":
        end += 1
    pieces: list[str] = []
    cursor = begin
    runs: list[list[int]] = []
    for index in sorted(i for i in set(marked) if first <= i <= last):
        if runs and runs[-1][1] == index - 1:
            runs[-1][1] = index  # a phrase is marked as one
        else:
            runs.append([index, index])
    for run_first, run_last in runs:
        start, stop = spans[run_first][0], spans[run_last][1]
        pieces += [text[cursor:start], MARK_OPEN, text[start:stop], MARK_CLOSE]
        cursor = stop
    pieces.append(text[cursor:end])
    shown = " ".join("".join(pieces).split())
    return ("…" if first > 0 else "") + shown + ("…" if last < len(spans) - 1 else "")


def citation(candidate: str, question: int, seconds: float | None) -> str:
    """`[Jane Doe, Q2 01:23]`: who said it, in which answer, when (the name cannot close the brackets)."""
    name = " ".join(candidate.replace("[", "(").replace("]", ")").split())[:60] or "unnamed candidate"
    return f"[{name}, Q{question} {clock(seconds)}]"
