"""The confidence marks of schema.graphql: how sure the schema is of each name ([C] confirmed, [S] seen
in a seed, [I] inferred), read from the comments beside each definition. `doctor` names the mark of
every mismatch it finds against the live schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from graphql import EnumTypeDefinitionNode
from graphql import InputObjectTypeDefinitionNode
from graphql import InterfaceTypeDefinitionNode
from graphql import Node
from graphql import ObjectTypeDefinitionNode
from graphql import Source
from graphql import TypeDefinitionNode
from graphql import parse
from graphql.language import Lexer
from graphql.language import Token
from graphql.language import TokenKind

MarkLevel = Literal["C", "S", "I"]
WEAKEST_FIRST: tuple[MarkLevel, ...] = ("I", "S", "C")
# "[C]", and the rarer "[C, unverified]" or "[I names]": the letter is what counts.
_MARK = re.compile(r"\[([CSI])\b[^\[\]]*\]")


@dataclass(frozen=True)
class Mark:
    """The confidence schema.graphql gives one name, and the comment it was read from."""

    levels: tuple[MarkLevel, ...]
    """Every mark on the comment, in order of appearance, without repeats."""
    comment: str
    line: int
    """1-based line of schema.graphql holding the comment."""

    @property
    def weakest(self) -> MarkLevel:
        """The least certain mark: "[I] name; fields [C]" makes the name a guess."""
        return next(level for level in WEAKEST_FIRST if level in self.levels)

    @property
    def is_guess(self) -> bool:
        return "I" in self.levels

    def __str__(self) -> str:
        return f"[{self.weakest}]"


@dataclass(frozen=True)
class _Comments:
    by_line: dict[int, str]
    alone: frozenset[int]
    """Lines holding nothing but a comment."""


def _comments(sdl: str) -> _Comments:
    lexer = Lexer(Source(sdl))
    while lexer.advance().kind != TokenKind.EOF:
        pass
    by_line: dict[int, str] = {}
    alone: set[int] = set()
    token: Token | None = lexer.token
    while token is not None and token.prev is not None:
        token = token.prev
    while token is not None:
        if token.kind == TokenKind.COMMENT:
            by_line[token.line] = (token.value or "").strip()
            previous = token.prev
            if previous is None or previous.kind == TokenKind.SOF or previous.line < token.line:
                alone.add(token.line)
        token = token.next
    return _Comments(by_line, frozenset(alone))


def _mark_on(comments: _Comments, line: int) -> Mark | None:
    text = comments.by_line.get(line)
    if text is None:
        return None
    levels: list[MarkLevel] = []
    for match in _MARK.finditer(text):
        level: MarkLevel = match.group(1)  # type: ignore[assignment]  # the pattern allows only C, S, I
        if level not in levels:
            levels.append(level)
    if not levels:
        return None
    # "[S] same": the line repeats the one above, whose further marks ("field names [I]") apply too.
    if _MARK.sub("", text).strip(" ;,.").lower().startswith("same"):
        above = _mark_on(comments, line - 1)
        if above is not None:
            levels += [level for level in above.levels if level not in levels]
            text = f"{text} (line {above.line}: {above.comment})"
    return Mark(tuple(levels), text, line)


def _mark_above(comments: _Comments, line: int) -> Mark | None:
    """The nearest mark in the comment lines directly above `line` (a section header, a note)."""
    above = line - 1
    while above in comments.alone:
        found = _mark_on(comments, above)
        if found is not None:
            return found
        above -= 1
    return None


def _line(node: Node) -> int:
    if node.loc is None:  # pragma: no cover - parse() always records locations
        raise ValueError("schema.graphql was parsed without locations")
    return node.loc.start_token.line


def parse_marks(sdl: str) -> dict[str, Mark]:
    """Schema coordinate -> the mark that applies to it, for every marked name in `sdl`.

    Coordinates: `Type`, `Type.field`, `Type.field(arg:)`, `Input.field`, `Enum.VALUE`. A name takes
    the marks of the comment on its own line; without one, those of its enclosing block (an argument:
    its field's; a field or value: its type's); a type without one takes the nearest mark in the
    comment lines directly above it (e.g. a section header "webhooks (all names [I], shapes [C])");
    "[S] same" adds the marks of the line above. Names with no mark anywhere are left out.

    A comment's marks all apply to every name it covers, and `Mark.weakest` is the one reported:
    "[I] name; fields [C]" or "[C] DESC, [I] ASC" make each name on the line a possible guess. That
    errs on the side of checking a name too many, never one too few.
    """
    comments = _comments(sdl)
    marks: dict[str, Mark] = {}

    def put(coordinate: str, mark: Mark | None) -> None:
        if mark is not None:
            marks[coordinate] = mark

    for definition in parse(sdl).definitions:
        if not isinstance(definition, TypeDefinitionNode):
            continue
        type_name = definition.name.value
        type_mark = _mark_on(comments, _line(definition.name)) or _mark_above(comments, _line(definition))
        put(type_name, type_mark)
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            for field_node in definition.fields or ():
                coordinate = f"{type_name}.{field_node.name.value}"
                field_mark = _mark_on(comments, _line(field_node.name)) or type_mark
                put(coordinate, field_mark)
                for argument in field_node.arguments or ():
                    argument_mark = _mark_on(comments, _line(argument.name)) or field_mark
                    put(f"{coordinate}({argument.name.value}:)", argument_mark)
        elif isinstance(definition, InputObjectTypeDefinitionNode):
            for input_field in definition.fields or ():
                put(
                    f"{type_name}.{input_field.name.value}",
                    _mark_on(comments, _line(input_field.name)) or type_mark,
                )
        elif isinstance(definition, EnumTypeDefinitionNode):
            for value in definition.values or ():
                put(f"{type_name}.{value.name.value}", _mark_on(comments, _line(value.name)) or type_mark)
    return marks
