"""`hireflix-mcp serve | sandbox | doctor`: flags and environment into one frozen Settings, then run.

stdout belongs to the protocol in stdio mode: everything this module says goes to stderr. A bad flag
or environment variable is one line naming it and what it accepts, exit status 2; `serve` checks
everything it can before it prints its banner or serves, so the banner only shows what works.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import NoReturn
from typing import get_args

from pydantic import SecretStr
from pydantic import ValidationError

from hireflix_mcp import __version__
from hireflix_mcp import logs
from hireflix_mcp.dsn import url_password
from hireflix_mcp.settings import LOG_LEVELS
from hireflix_mcp.settings import ConfirmPolicy
from hireflix_mcp.settings import Settings
from hireflix_mcp.settings import describe_invalid
from hireflix_mcp.settings import sqlite_file_ok

if TYPE_CHECKING:
    from hireflix_mcp.tools.catalog import Profile

logger = logging.getLogger("hireflix_mcp")

WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104  # names of binds, not binds
AUTH_HEADER = '--header "Authorization: Bearer $HIREFLIX_MCP_AUTH_TOKEN"'
"""How the banner's commands send the token: by the variable's name, never its value."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (what is wrong, where the help is) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


class _Refused(Exception):
    """`serve` cannot start as asked; each argument is one line for the person at the terminal."""


def _secrets(settings: Settings) -> list[str | None]:
    """Every secret in `settings`, for the log redactor (`hireflix_mcp.logs`)."""
    held = (settings.api_key, settings.auth_token, settings.webhook_secret, settings.confirm_secret)
    database = url_password(settings.state_db)  # a postgresql:// state URL's password
    return [*(secret.get_secret_value() for secret in held if secret is not None), database]


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is invalid: expected a port number from 1 to 65535")
    return int(text)


def _sqlite_file(text: str) -> str:
    if not sqlite_file_ok(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is invalid: expected :memory: or a file in an existing directory"
        )
    return text


def _serve_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "serve",
        help="run the MCP server (stdio by default)",
        description="Run the Hireflix MCP server. Over stdio (the default) an MCP client such as Claude "
        "Desktop starts it and speaks on its stdin and stdout; over HTTP (--transport http) clients "
        "connect to http://HOST:PORT/mcp. It talks to Hireflix with HIREFLIX_API_KEY, or to a local "
        "Hireflix with demo data under --sandbox. Flags win over the HIREFLIX_* environment variables "
        "named in their help; the README's Configuration section lists them all.",
    )
    p.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default="stdio",
        help="stdio: the client starts this process (default); http: streamable HTTP at /mcp",
    )
    p.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="HTTP port (default 8000)")
    p.add_argument("--stateless", action="store_true", help="stateless streamable HTTP (for replicas)")
    p.add_argument(
        "--allowed-hosts",
        default=os.environ.get("HIREFLIX_MCP_ALLOWED_HOSTS", ""),
        help="extra Host header values accepted over HTTP, comma-separated (e.g. mcp.example.com:*); "
        "env HIREFLIX_MCP_ALLOWED_HOSTS",
    )
    p.add_argument(
        "--public-url",
        help="this server's address as Hireflix reaches it, e.g. https://mcp.example.com "
        "(HIREFLIX_MCP_PUBLIC_URL): create_webhook without a url then points at <it>/webhooks/hireflix",
    )
    p.add_argument("--sandbox", action="store_true", help="start the local Hireflix sandbox and use it")
    p.add_argument(
        "--sandbox-db",
        type=_sqlite_file,
        default=":memory:",
        help="sandbox SQLite file, kept between runs (default :memory:)",
    )
    p.add_argument(
        "--toolsets", help="comma-separated toolsets, or 'all' (default positions,interviews,review,links)"
    )
    p.add_argument("--tools", help="extra single tools to add, comma-separated")
    p.add_argument("--exclude-tools", help="single tools to remove, comma-separated")
    p.add_argument("--read-only", action="store_true", help="register read tools only (wins over everything)")
    p.add_argument(
        "--confirm",
        choices=get_args(ConfirmPolicy),
        help="confirmation policy: auto, token, elicit or off (HIREFLIX_MCP_CONFIRM; default auto)",
    )
    p.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help="DEBUG, INFO, WARNING, ERROR or CRITICAL, any case (HIREFLIX_MCP_LOG_LEVEL; default INFO)",
    )


@contextlib.contextmanager
def _sandbox_backend(db: str, webhook_secret: str | None) -> Iterator[tuple[str, str, str]]:
    """Start the local Hireflix on a free loopback port in this process; yield (url, key, webhook secret).

    Its API key is random (nobody types it), and so is its webhook secret, made with its database,
    unless HIREFLIX_WEBHOOK_SECRET gives one: the sandbox then signs with that, so the receiver verifies.
    """
    from hireflix_sandbox.embedded import running_sandbox

    with running_sandbox(db_path=db, webhook_secret=webhook_secret) as sandbox:
        yield sandbox.url, sandbox.api_key, sandbox.runtime.webhook_secret


def _url_host(host: str) -> str:
    """`host` as a client on this machine reaches a server bound to it, ready to put in a URL."""
    reachable = "127.0.0.1" if host in WILDCARD_HOSTS else host
    return f"[{reachable.strip('[]')}]" if ":" in reachable else reachable


def _sandbox_webhook_settings(settings: Settings, secret: str, host: str, port: int) -> Settings:
    """Over HTTP against the embedded sandbox, receive its webhooks with no setup.

    The webhook secret is the sandbox company's own (read from the sandbox in this process, as a user
    would copy it from the Hireflix dashboard), and the public URL is this server as the sandbox, on
    this machine, reaches it. Either one given explicitly wins.
    """
    update: dict[str, object] = {}
    if settings.webhook_secret is None:
        update["webhook_secret"] = SecretStr(secret)
    if settings.public_url is None:
        update["public_url"] = f"http://{_url_host(host)}:{port}"
    return settings.model_copy(update=update)


def _self_command() -> list[str]:
    """This program as another program starts it: an absolute path (a client has its own working
    directory and PATH), or the interpreter with `-m` when it did not start as `hireflix-mcp`."""
    launched = sys.argv[0] if sys.argv else ""
    if os.path.basename(launched).startswith("hireflix-mcp"):
        found = launched if os.sep in launched else shutil.which(launched)
        if found and os.access(found, os.X_OK):
            return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "hireflix_mcp.cli"]


def _stdio_args(args: argparse.Namespace) -> list[str]:
    """The `serve` arguments that start this same sandbox server over stdio, paths made absolute."""
    argv = ["serve", "--sandbox"]
    if args.sandbox_db != ":memory:":
        argv += ["--sandbox-db", os.path.abspath(args.sandbox_db)]
    options = {
        "--toolsets": args.toolsets,
        "--tools": args.tools,
        "--exclude-tools": args.exclude_tools,
        "--confirm": args.confirm,
        "--log-level": args.log_level,
    }
    argv += [part for flag, value in options.items() if value for part in (flag, value)]
    return [*argv, "--read-only"] if args.read_only else argv


def _print_connect_help(args: argparse.Namespace, settings: Settings) -> None:
    def say(line: str) -> None:
        print(line, file=sys.stderr)

    say(f"hireflix-mcp: using the local Hireflix sandbox at {settings.api_url}")
    if args.transport == "http":
        url = f"http://{_url_host(args.host)}:{args.port}/mcp"
        header = f" {AUTH_HEADER}" if settings.auth_token is not None else ""
        say(f"  MCP endpoint: {url}")
        say("  Webhooks:     create_webhook without a url points the sandbox at this server's receiver")
        say(f"  Inspector:    npx @modelcontextprotocol/inspector --cli {url}{header} --method tools/list")
        return
    command = [*_self_command(), *_stdio_args(args)]
    desktop = {"mcpServers": {"hireflix-sandbox": {"command": command[0], "args": command[1:]}}}
    say("  Inspector:    npx @modelcontextprotocol/inspector --cli " + shlex.join(command))
    say("  Claude Desktop (claude_desktop_config.json):")
    say("    " + json.dumps(desktop))
    say("  Claude Code:  claude mcp add hireflix-sandbox -- " + shlex.join(command))


def _settings(args: argparse.Namespace) -> Settings:
    given = {"confirm": args.confirm, "log_level": args.log_level, "public_url": args.public_url}
    flags = {field: "--" + field.replace("_", "-") for field, value in given.items() if value is not None}
    try:
        return Settings.from_env(**given)
    except ValidationError as exc:
        raise _Refused(*describe_invalid(exc, flags)) from None


def _profile(args: argparse.Namespace) -> Profile:
    """The tool profile, each of its flags checked against the catalogue on its own to name it."""
    from hireflix_mcp.tools.catalog import Profile
    from hireflix_mcp.tools.catalog import select_tools

    for flag, value, alone in (
        ("--toolsets", args.toolsets, Profile.parse(toolsets=args.toolsets)),
        ("--tools", args.tools, Profile.parse(tools=args.tools)),
        ("--exclude-tools", args.exclude_tools, Profile.parse(exclude_tools=args.exclude_tools)),
    ):
        try:
            select_tools(alone)
        except ValueError as exc:
            raise _Refused(f"{flag} {value!r} is invalid: {exc}") from None
    return Profile.parse(args.toolsets, args.tools, args.exclude_tools, args.read_only)


def _serve(args: argparse.Namespace) -> int:
    # Start-up only builds long-lived objects (modules, schemas, validators): collecting cycles among
    # them is wasted work (~45 ms of a cold start here). `_run` freezes them once built, so later
    # collections skip them too. Restored on every path: tests call `main` in their own process.
    gc.disable()
    try:
        return _run(args)
    except _Refused as refused:
        for line in refused.args:
            print(f"hireflix-mcp: {line}", file=sys.stderr)
        return 2
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    """Check everything, start what is needed, build the server and its app, then say so and serve."""
    from hireflix_mcp.server import build_server
    from hireflix_mcp.server import http_app

    settings = _settings(args)
    profile = _profile(args)
    if not args.sandbox and settings.api_key is None:
        raise _Refused(
            "HIREFLIX_API_KEY is not set. Create a key in Hireflix under My account -> API keys, or run "
            "with --sandbox to try the local Hireflix."
        )
    logs.configure(settings.log_level, _secrets(settings))

    with contextlib.ExitStack() as stack:
        if args.sandbox:
            given = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            url, key, webhook_secret = stack.enter_context(_sandbox_backend(args.sandbox_db, given))
            settings = settings.model_copy(update={"api_url": url, "api_key": SecretStr(key)})
            if args.transport == "http":
                settings = _sandbox_webhook_settings(settings, webhook_secret, args.host, args.port)
            logs.protect(webhook_secret, *_secrets(settings))
        allowed = tuple(h.strip() for h in args.allowed_hosts.split(",") if h.strip())
        try:
            server = build_server(
                settings, profile, sandbox=args.sandbox, background_index=settings.index_sync
            )
            app = (
                http_app(
                    server,
                    settings,
                    host=args.host,
                    port=args.port,
                    stateless=args.stateless,
                    allowed_hosts=allowed,
                )
                if args.transport == "http"
                else None
            )
        except ValueError as exc:
            raise _Refused(str(exc)) from None
        if args.sandbox:
            _print_connect_help(args, settings)
        if settings.confirm == "off":
            logger.warning("confirmation policy is OFF: destructive tools run without asking anyone")
        gc.freeze()
        gc.enable()
        if app is None:
            server.run()
            return 0
        import uvicorn

        uvicorn.run(
            app, host=args.host, port=args.port, log_level=settings.log_level.lower(), log_config=None
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _Parser(prog="hireflix-mcp", description="Hireflix for AI assistants, over MCP.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{serve,sandbox,doctor,index,audit}")
    _serve_parser(sub)
    sub.add_parser(
        "sandbox", help="run the local Hireflix (see `hireflix-mcp sandbox --help`)", add_help=False
    )
    sub.add_parser(
        "index",
        help="the transcript index: sync, status, purge (see `hireflix-mcp index --help`)",
        add_help=False,
    )
    sub.add_parser(
        "audit",
        help="print the audit trail: who called which tool, when, with what outcome "
        "(see `hireflix-mcp audit --help`)",
        add_help=False,
    )
    sub.add_parser(
        "doctor",
        help="check the key, then validate every operation against the live schema "
        "(see `hireflix-mcp doctor --help`)",
        add_help=False,
    )
    if argv and argv[0] == "sandbox":
        from hireflix_sandbox.app import main as sandbox_main

        return sandbox_main(argv[1:])
    if argv and argv[0] == "doctor":
        from hireflix_mcp.doctor import main as doctor_main

        return doctor_main(argv[1:])
    if argv and argv[0] == "audit":
        from hireflix_mcp.audit_trail import main as audit_main

        return audit_main(argv[1:])
    if argv and argv[0] == "index":
        from hireflix_mcp.transcripts.cli import main as index_main

        return index_main(argv[1:])
    args = parser.parse_args(argv)
    return _serve(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
