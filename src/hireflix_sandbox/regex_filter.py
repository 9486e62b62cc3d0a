"""Regex filters that cannot stall the sandbox: every pattern is matched in time linear in the text.

Python's `re` backtracks: `^(a+)+$` against a 50-letter name ending in `!` takes longer than anyone waits,
holding the GIL all along, so one request would stop every other one (and, under `serve --sandbox`, the
MCP server sharing the process). So:
- a pattern without repetition or alternation (characters, classes, groups, anchors: what clients such
  as hireflix-mcp send) cannot backtrack beyond one path per start position, and runs on `re`;
- any other runs on a Thompson NFA built from `re`'s own parse of it, simulated a character at a time
  (each state at most once per position), with a step budget shared by the whole listing: a pattern too
  large for the texts it is run on gets an error, never a stall;
- what needs backtracking (backreferences, lookarounds, conditionals, atomic groups, possessive
  repeats) is refused with an error.
Single characters are tested by `re` itself (each class or literal compiled on its own, with the
pattern's flags), so what a character matches is exactly what `re` says.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .rules import RuleViolation

# `re`'s parser and compiler (CPython 3.11+ names; their old `sre_*` aliases warn on import). Untyped.
sre_parse: Any = importlib.import_module("re._parser")
sre_compile: Any = importlib.import_module("re._compiler")
c: Any = importlib.import_module("re._constants")

STEP_BUDGET = 400_000
"""NFA steps (a state entered or a character tested) one listing may spend on its regexes (~0.2 s)."""
MAX_STATES = 5_000
"""States an expanded pattern may have (`(a{100}){100}` is 10,000)."""


class RegexRefused(RuleViolation):
    """The pattern cannot be run safely, or ran out of its step budget; the message says which."""


@dataclass
class Budget:
    """Steps left for one listing's regexes."""

    steps: int = STEP_BUDGET

    def spend(self, n: int) -> None:
        self.steps -= n
        if self.steps < 0:
            raise RegexRefused(
                "the regex filter needs more work than the sandbox allows per listing; use a simpler pattern"
            )


# A state: ("char", test, next) | ("split", targets) | ("at", code, next, flags) | ("match",).
State = tuple[Any, ...]

_UNSUPPORTED = {
    c.GROUPREF: "backreferences",
    c.GROUPREF_EXISTS: "conditionals",
    c.ASSERT: "lookarounds",
    c.ASSERT_NOT: "lookarounds",
    c.ATOMIC_GROUP: "atomic groups",
    c.POSSESSIVE_REPEAT: "possessive repeats",
}
_CHAR_NODES = (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN)
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT)


def compile_search(pattern: str, flags: int, budget: Budget) -> Callable[[str], bool]:
    """A function telling whether `pattern` is found in a text (as `re.search` would), within `budget`.

    Raises `re.error` for a pattern `re` cannot parse and `RegexRefused` for one the sandbox will not run.
    """
    parsed = sre_parse.parse(pattern, flags)
    if _is_flat(parsed.data):
        compiled = re.compile(pattern, flags)
        return lambda text: compiled.search(text) is not None
    return _Nfa(parsed, budget).search


def _is_flat(nodes: Any) -> bool:
    """No repetition and no alternation anywhere (and nothing that needs backtracking)."""
    for op, arg in nodes:
        if op in _UNSUPPORTED:
            raise RegexRefused(f"the sandbox does not run {_UNSUPPORTED[op]} in regex filters")
        if op in _REPEATS or op is c.BRANCH:
            return False
        if op is c.SUBPATTERN and not _is_flat(arg[3]):
            return False
    return True


@dataclass
class _Nfa:
    parsed: Any
    budget: Budget
    states: list[State] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flags = self.parsed.state.flags
        match = self._add(("match",))
        self.start = self._build(self.parsed.data, match, self.flags)

    # ------------------------------------------------------------------ building (back to front)

    def _add(self, state: State) -> int:
        if len(self.states) >= MAX_STATES:
            raise RegexRefused(
                f"the regex filter expands to more than {MAX_STATES} states; use a smaller one"
            )
        self.states.append(state)
        return len(self.states) - 1

    def _build(self, nodes: Any, after: int, flags: int) -> int:
        for node in reversed(list(nodes)):
            after = self._node(node, after, flags)
        return after

    def _node(self, node: tuple[Any, Any], after: int, flags: int) -> int:
        op, arg = node
        if op in _UNSUPPORTED:
            raise RegexRefused(f"the sandbox does not run {_UNSUPPORTED[op]} in regex filters")
        if op in _CHAR_NODES:
            return self._add(("char", self._char_test(node, flags), after))
        if op is c.AT:
            return self._add(("at", arg, after, flags))
        if op is c.SUBPATTERN:
            _group, add_flags, del_flags, body = arg
            return self._build(body, after, (flags | add_flags) & ~del_flags)
        if op is c.BRANCH:
            return self._add(("split", [self._build(alt, after, flags) for alt in arg[1]]))
        if op in _REPEATS:
            low, high, body = arg
            if high == c.MAXREPEAT:
                loop = self._add(("split", []))
                self.states[loop] = ("split", [self._build(body, loop, flags), after])
                tail = loop
            else:
                tail = after
                for _ in range(high - low):
                    tail = self._add(("split", [self._build(body, tail, flags), tail]))
            for _ in range(low):
                tail = self._build(body, tail, flags)
            return tail
        raise RegexRefused(f"the sandbox does not run {op} in regex filters")

    def _char_test(self, node: tuple[Any, Any], flags: int) -> Callable[[str], bool]:
        """Whether one character matches `node`, as `re` decides (memoised per character)."""
        single = sre_parse.SubPattern(self.parsed.state, [node])
        compiled = sre_compile.compile(single, flags)
        seen: dict[str, bool] = {}

        def test(char: str) -> bool:
            found = seen.get(char)
            if found is None:
                found = seen[char] = compiled.fullmatch(char) is not None
            return found

        return test

    # ------------------------------------------------------------------ matching

    def search(self, text: str) -> bool:
        current = self._closure([self.start], text, 0)
        for position, char in enumerate(text):
            if 0 in current:
                return True
            self.budget.spend(len(current))
            moved = [state[2] for s in current if (state := self.states[s])[0] == "char" and state[1](char)]
            current = self._closure([*moved, self.start], text, position + 1)
        return 0 in current

    def _closure(self, starts: list[int], text: str, position: int) -> set[int]:
        """Every state reachable from `starts` without consuming a character, at `position`."""
        reached: set[int] = set()
        stack = list(starts)
        while stack:
            s = stack.pop()
            if s in reached:
                continue
            reached.add(s)
            state = self.states[s]
            if state[0] == "split":
                stack.extend(state[1])
            elif state[0] == "at" and _holds(state[1], state[3], text, position):
                stack.append(state[2])
        self.budget.spend(len(reached))
        return {s for s in reached if self.states[s][0] in ("char", "match")}


def _word(text: str, position: int, flags: int) -> bool:
    if not 0 <= position < len(text):
        return False
    char = text[position]
    if flags & re.ASCII and not char.isascii():
        return False
    return char.isalnum() or char == "_"


def _holds(code: Any, flags: int, text: str, position: int) -> bool:
    """Whether the zero-width assertion `code` holds at `position` of `text`."""
    end = len(text)
    multiline = bool(flags & re.MULTILINE)
    if code is c.AT_BEGINNING:
        return position == 0 or (multiline and text[position - 1] == "\n")
    if code is c.AT_BEGINNING_STRING:
        return position == 0
    if code is c.AT_END:
        if multiline:
            return position == end or text[position] == "\n"
        return position == end or (position == end - 1 and text[position] == "\n")
    if code is c.AT_END_STRING:
        return position == end
    if code in (c.AT_BOUNDARY, c.AT_NON_BOUNDARY):
        boundary = _word(text, position - 1, flags) != _word(text, position, flags)
        return boundary if code is c.AT_BOUNDARY else not boundary
    raise RegexRefused(f"the sandbox does not run {code} in regex filters")
