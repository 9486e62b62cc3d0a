"""The server's logs, with secrets and personal data taken out by pattern before a line is written.

`configure` (called by `serve`) installs one stderr handler whose formatter rewrites each whole formatted
line (message, arguments, traceback), whatever logger wrote it (this package, the SDK, httpx, uvicorn) and
at every level, DEBUG included:
- removed (`[redacted]`): confirmation tokens; `Bearer`/`Basic` credentials; the value of anything named
  like a secret (API key, token, secret, password, signature, authorization) as JSON, a Python repr, a
  header or a query string writes it; and every secret this process was given (`protect`: the Hireflix
  API key, the bearer token, the webhook and confirmation secrets), also URL-encoded and inside base64 at
  any offset;
- masked: e-mail addresses (`j***@example.com`) and phone numbers (`+**********23`), and whatever a field
  named phone holds.
Patterns, not one exact string: a key nobody registered is still caught by its name, and a registered
one in whatever encoding it travels. Logs are for the operator; candidates' contact details and
credentials are not needed to run a server, so they never reach the log.
"""

from __future__ import annotations

import base64
import logging
import math
import re
import sys
import threading
from collections.abc import Iterable
from urllib.parse import quote
from urllib.parse import quote_plus

REDACTED = "[redacted]"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SENSITIVE_NAMES = (
    r"(?:x[-_]?api[-_]?key|api[-_]?key|apikey|(?:auth|access|refresh|confirmation|id)[-_]?token|token"
    r"|(?:client|webhook|confirm)[-_]?secret|secret|password|passwd|signature|authorization)"
)
# What may stand between a name and its value: JSON or a dict repr ("k": "v", 'k': 'v', also escaped inside
# a JSON string), a header (k: v), a query string or keyword (k=v), a tuple repr of ASGI headers (b'k', b'v').
_SEPARATOR = r"\\?[\"']?\s*[:=]\s*(?:b?\\?[\"'])?|\\?[\"'],\s*b?\\?[\"']"
_NAMED_SECRET = re.compile(
    rf"(?P<name>{_SENSITIVE_NAMES})(?P<sep>{_SEPARATOR})(?!(?:bearer|basic)\s)(?!\[redacted\])"
    r"(?P<value>[^\s\"'\\&,;<>()\[\]{}]+)",
    re.IGNORECASE,
)
_CREDENTIAL = re.compile(r"\b(?P<scheme>bearer|basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_CONFIRMATION_TOKEN = re.compile(r"\bc\d+\.[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_-]+){4,6}")
_EMAIL = re.compile(r"(?<![\w.+-])(?P<first>\w)[\w.+-]{0,63}@(?P<domain>(?:[\w-]+\.)+[\w-]{2,})")
_PHONE = re.compile(r"(?<![\w+])\+(?P<digits>\d{7,15})\b")
_NAMED_PHONE = re.compile(
    rf"(?P<name>phone(?:[-_]?number)?)(?P<sep>{_SEPARATOR})(?P<value>\+?[\d\s().-]{{5,}}\d)", re.IGNORECASE
)
_MIN_SECRET = 6
"""Registered values shorter than this are not searched for (they would mask ordinary words)."""


def _masked_phone(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    return ("+" if text.startswith("+") else "") + _mask_digits(digits)


def _mask_digits(digits: str) -> str:
    return "*" * (len(digits) - 2) + digits[-2:]


def _base64_cores(value: bytes) -> set[str]:
    """The parts of `value`'s base64 that are the same wherever it sits in a longer encoded blob (one per
    alignment), in the standard and the URL-safe alphabet."""
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + value).decode("ascii").rstrip("=")
        first = math.ceil(offset * 8 / 6)
        last = (offset + len(value)) * 8 // 6
        core = encoded[first:last]
        if len(core) >= 8:
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


class Redactor:
    """Takes secrets and personal data out of log text (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: set[str] = set()
        self._known: re.Pattern[str] | None = None

    def protect(self, *secrets: str | None) -> None:
        """Also remove these exact values, raw, URL-encoded and inside base64."""
        forms: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < _MIN_SECRET:
                continue
            forms |= {secret, quote(secret, safe=""), quote_plus(secret)}
            forms |= _base64_cores(secret.encode("utf-8"))
        with self._lock:
            self._forms |= forms
            ordered = sorted(self._forms, key=len, reverse=True)
            self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def redact(self, text: str) -> str:
        known = self._known
        if known is not None:
            text = known.sub(REDACTED, text)
        text = _CONFIRMATION_TOKEN.sub(REDACTED, text)
        text = _CREDENTIAL.sub(lambda m: f"{m['scheme']} {REDACTED}", text)
        text = _NAMED_SECRET.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
        text = _NAMED_PHONE.sub(lambda m: f"{m['name']}{m['sep']}{_masked_phone(m['value'])}", text)
        text = _PHONE.sub(lambda m: "+" + _mask_digits(m["digits"]), text)
        return _EMAIL.sub(lambda m: f"{m['first']}***@{m['domain']}", text)


REDACTOR = Redactor()
"""The process's redactor: `serve` registers its secrets here, and `configure`'s handler uses it."""


def protect(*secrets: str | None) -> None:
    """Never log these values (in any encoding `Redactor.protect` knows)."""
    REDACTOR.protect(*secrets)


class RedactingFormatter(logging.Formatter):
    """A formatter whose every line has passed through a `Redactor`."""

    def __init__(self, fmt: str = LOG_FORMAT, redactor: Redactor = REDACTOR) -> None:
        super().__init__(fmt)
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor.redact(super().format(record))


def configure(level: str, secrets: Iterable[str | None] = ()) -> None:
    """Log to stderr at `level` through the redacting formatter, the process's secrets registered.

    stdout belongs to the protocol in stdio mode, so logs never go there.
    """
    protect(*secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter())
    logging.basicConfig(level=level.upper(), handlers=[handler])
    # One line per upstream request is noise at INFO; the client logs what matters (retries, failures).
    if logging.getLogger().level > logging.DEBUG:
        for noisy in ("httpx2", "httpcore2", "httpx", "httpcore"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
