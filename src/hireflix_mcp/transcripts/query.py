"""The query language of `search_transcripts`, as search boxes have taught people:

    kubernetes docker          both words (anywhere in the answer)
    "night shifts"             the exact phrase (stemmed: also "night shift")
    barista OR camarero        either
    "customer service" OR atención cliente

Words next to each other must all match; `OR` (upper case) between two items matches either. Case,
accents and word endings do not matter ("Gestión" finds "gestiones"). Anything else (punctuation, a
lone quote) is read as spaces; a query with no word left is refused with a sentence saying so.

`parse` gives a `Query`: clauses that must all match, each a set of phrases of which one must (a word
is a phrase of one). Each store turns it into its own syntax (`fts5`, `tsquery_parts`) from the normal
forms of `text.normal`, and `Matcher` finds the matching tokens of one answer for its snippet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hireflix_mcp.transcripts.text import TOKEN
from hireflix_mcp.transcripts.text import Lang
from hireflix_mcp.transcripts.text import fold
from hireflix_mcp.transcripts.text import normal
from hireflix_mcp.transcripts.text import normals
from hireflix_mcp.transcripts.text import unpack_times

MAX_QUERY_CHARS = 300
MAX_TERMS = 24

_PIECE = re.compile(r'"([^"]*)"|(\S+)')


class QueryError(ValueError):
    """A query that cannot be searched; the message says why and what works."""


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    """As typed (normal forms are per language)."""

    def forms(self, lang: Lang) -> tuple[str, ...]:
        return tuple(normal(word, lang) for word in self.words)


@dataclass(frozen=True)
class Query:
    clauses: tuple[tuple[Phrase, ...], ...]
    """Every clause must match; within one, any phrase."""

    def describe(self) -> str:
        parts = []
        for clause in self.clauses:
            shown = [
                " ".join(p.words) if len(p.words) == 1 else '"' + " ".join(p.words) + '"' for p in clause
            ]
            parts.append(" OR ".join(shown))
        return " ".join(f"({p})" if " OR " in p else p for p in parts)


def parse(text: str) -> Query:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters; at most {MAX_QUERY_CHARS}")
    if text.count('"') % 2:
        text += '"'  # an unclosed phrase runs to the end
    items: list[Phrase | None] = []  # None stands for OR
    for match in _PIECE.finditer(text):
        quoted, bare = match.groups()
        if bare == "OR":
            items.append(None)
            continue
        words = tuple(TOKEN.findall(quoted if quoted is not None else bare))
        words = tuple(w for w in words if fold(w))
        if words and quoted is not None:
            items.append(Phrase(words))
        else:  # "e-mail" is two words, both required
            items += [Phrase((w,)) for w in words]
    clauses: list[list[Phrase]] = []
    joining = False
    for item in items:
        if item is None:
            joining = bool(clauses)
            continue
        if joining:
            clauses[-1].append(item)
        else:
            clauses.append([item])
        joining = False
    terms = sum(len(p.words) for clause in clauses for p in clause)
    if not clauses:
        raise QueryError(
            'query has no word to search: give words, "an exact phrase" in double quotes, or words joined '
            "by OR"
        )
    if terms > MAX_TERMS:
        raise QueryError(f"query has {terms} words; at most {MAX_TERMS}: search for fewer at a time")
    return Query(tuple(tuple(dict.fromkeys(clause)) for clause in clauses))


# ------------------------------------------------------------------------------------------- SQLite FTS5


def fts5(query: Query, columns: Sequence[Lang]) -> str:
    """The FTS5 MATCH expression: each phrase in each language column, in its normal forms there.

    Normal forms hold only letters and digits, so quoting them is all the escaping FTS5 needs.
    """
    clauses = []
    for clause in query.clauses:
        options = []
        for phrase in clause:
            by_form: dict[tuple[str, ...], list[str]] = {}
            for lang in columns:
                by_form.setdefault(phrase.forms(lang), []).append(lang)
            for forms, langs in by_form.items():
                options.append("{" + " ".join(langs) + '} : "' + " ".join(forms) + '"')
        clauses.append("(" + " OR ".join(options) + ")")
    return " AND ".join(clauses)


# ------------------------------------------------------------------------------------------- matching


class Matcher:
    """Where a query matches in one answer: the token positions to mark and the one to centre on."""

    def __init__(self, query: Query, lang: Lang) -> None:
        self._lang = lang
        self._phrases = [[phrase.forms(lang) for phrase in clause] for clause in query.clauses]

    def locate(self, text: str, times: bytes | None) -> tuple[list[int], int, float | None]:
        """`find` in an answer's `text`, and when its centre was said (from the answer's packed `times`)."""
        marked, centre = self.find(normals(text, self._lang))
        unpacked = unpack_times(times)
        at = unpacked[centre] if unpacked is not None and centre < len(unpacked) else None
        return marked, centre, at

    def find(self, forms: Sequence[str]) -> tuple[list[int], int]:
        """(positions of every matching token, the first position of the clause matching least often)."""
        marked: list[int] = []
        centre: int | None = None
        fewest: int | None = None
        for clause in self._phrases:
            starts: list[int] = []
            for phrase in clause:
                size = len(phrase)
                for at in range(len(forms) - size + 1):
                    if tuple(forms[at : at + size]) == phrase:
                        starts.append(at)
                        marked.extend(range(at, at + size))
            if starts and (fewest is None or len(starts) < fewest):
                fewest, centre = len(starts), min(starts)
        return marked, centre if centre is not None else 0
