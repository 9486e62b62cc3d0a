"""How a typed name matches a candidate: one rule for every search (search, find, completion).

A typed name is split into words at spaces and commas, so "Liam Costa", "Costa Liam" and "Costa, Liam"
are the same query. A candidate matches when every word is part of their first name or their last name,
ignoring case and accents: "bjorn" finds Björn, "jose" finds José and María José, "OLAFUR" finds Ólafur.

Hireflix filters strings with regexes, not with an accent-insensitive collation, so the rule goes upstream
as one pattern per word (`word_pattern`) in which every letter is a character class of its accented and
cased forms (`o` becomes `[oOÒÓÔÕÖØòóôõöøŌōŎŏŐő]`). Patterns need no regex flags, so they mean the same in
any dialect. Results read client-side are checked with `words_match`, which folds both sides with the
same table, so a local check agrees with what the upstream pattern matched.

What this cannot fold, because a character class stands for exactly one character:
- ligatures and letters written as two: "ss" does not find "ß", "ae" not "æ", "oe" not "œ", and
  transliterations ("Mueller" does not find "Müller");
- letters outside Latin-1, Latin Extended-A and the Romanian ș/ț, e.g. Vietnamese stacked accents
  ("Nguyen" does not find "Nguyễn");
- other scripts (Greek, Cyrillic, Arabic, CJK, ...): matched as typed, any case where the script has case.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from collections.abc import Sequence

_FOLDED_RANGES = ((0x00C0, 0x0180), (0x0218, 0x021C))
"""Latin-1 letters, Latin Extended-A, and ș ț: the accented letters of European names."""

_NOT_DECOMPOSED = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ħ": "h", "Ħ": "h", "ı": "i"}
"""Letters with a stroke, and the dotless i: Unicode does not decompose them into base letter + accent."""

_SEPARATORS = re.compile(r"[\s,]+")


def _base_letter(char: str) -> str | None:
    """The lowercase ASCII letter `char` is an accented form of, or None."""
    if char in _NOT_DECOMPOSED:
        return _NOT_DECOMPOSED[char]
    parts = unicodedata.normalize("NFD", char)
    if parts[0] in string.ascii_letters and all(unicodedata.combining(p) for p in parts[1:]):
        return parts[0].lower()
    return None


def _fold_table() -> tuple[dict[str, str], dict[str, str]]:
    folds: dict[str, str] = {}
    variants: dict[str, list[str]] = {letter: [letter, letter.upper()] for letter in string.ascii_lowercase}
    for low, high in _FOLDED_RANGES:
        for code in range(low, high):
            char = chr(code)
            base = _base_letter(char)
            if base is not None:
                folds[char] = base
                variants[base].append(char)
    for char, base in _NOT_DECOMPOSED.items():
        if char not in folds:
            folds[char] = base
            variants[base].append(char)
    return folds, {base: f"[{''.join(chars)}]" for base, chars in variants.items()}


_FOLDS, _CLASSES = _fold_table()


def _fold_char(char: str) -> str:
    folded = _FOLDS.get(char)
    if folded is not None:
        return folded
    lower = char.lower()
    return lower if len(lower) == 1 else char


def fold(text: str) -> str:
    """`text` without case and without the accents `word_pattern` folds (one character per character)."""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFC", text))


def name_words(typed: str) -> list[str]:
    """The words of a typed name: split at spaces and commas ("Clarke, Laura" -> Clarke, Laura).

    Text made only of separators stays one word, so it still means itself rather than everything.
    """
    text = unicodedata.normalize("NFC", typed.strip())
    words = [w for w in _SEPARATORS.split(text) if w]
    return words or ([text] if text else [])


def word_pattern(word: str) -> str:
    """A regex matching `word` anywhere, ignoring case and the accents `fold` removes; no flags needed."""
    parts: list[str] = []
    for char in unicodedata.normalize("NFC", word):
        base = _fold_char(char)
        if base in _CLASSES:
            parts.append(_CLASSES[base])
            continue
        forms = dict.fromkeys(f for f in (char.lower(), char.upper()) if len(f) == 1)
        if len(forms) > 1:
            parts.append(f"[{''.join(re.escape(f) for f in forms)}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def words_match(words: Sequence[str], fields: Iterable[str | None]) -> bool:
    """True when every word is part of one of `fields` (first name, last name), folded as `word_pattern`."""
    folded = [fold(f) for f in fields if f]
    return all(any(fold(word) in field for field in folded) for word in words)
