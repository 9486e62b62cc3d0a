"""`hireflix-mcp serve | sandbox | doctor`: flags and environment into one frozen Settings, then run.

stdout belongs to the protocol in stdio mode: everything this module says goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import shlex
import sys
from collections.abc import Iterator, Sequence

from pydantic import SecretStr, ValidationError

from hireflix_mcp.settings import Settings

logger = logging.getLogger("hireflix_mcp")


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line per upstream request is noise at INFO; the client logs what matters (retries, failures).
    if logging.getLogger().level > logging.DEBUG:
        for noisy in ("httpx2", "httpcore2", "httpx", "httpcore"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def _serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the MCP server (stdio by default)")
    p.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    p.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
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
    p.add_argument("--sandbox-db", default=":memory:", help="sandbox SQLite file (default in memory)")
    p.add_argument(
        "--toolsets", help="comma-separated toolsets, or 'all' (default positions,interviews,review,links)"
    )
    p.add_argument("--tools", help="extra single tools to add, comma-separated")
    p.add_argument("--exclude-tools", help="single tools to remove, comma-separated")
    p.add_argument("--read-only", action="store_true", help="register read tools only (wins over everything)")
    p.add_argument(
        "--confirm", choices=("auto", "token", "off"), help="confirmation policy (HIREFLIX_MCP_CONFIRM)"
    )
    p.add_argument("--log-level", help="DEBUG, INFO, WARNING, ERROR (HIREFLIX_MCP_LOG_LEVEL)")
    # Tests only: the MCP conformance suite's fixture tools/resources/prompts (hireflix_mcp.conformance).
    p.add_argument("--conformance-fixtures", action="store_true", help=argparse.SUPPRESS)


@contextlib.contextmanager
def _sandbox_backend(db: str) -> Iterator[tuple[str, str, str]]:
    """Start the local Hireflix on a free loopback port in this process; yield (url, key, webhook secret)."""
    from hireflix_sandbox.testing import running_sandbox

    with running_sandbox(db_path=db) as sandbox:
        yield sandbox.url, sandbox.api_key, sandbox.runtime.webhook_secret


def _sandbox_webhook_settings(settings: Settings, secret: str, host: str, port: int) -> Settings:
    """Over HTTP against the embedded sandbox, receive its webhooks with no setup.

    The webhook secret is the sandbox company's own (read from the sandbox in this process, as a user
    would copy it from the Hireflix dashboard), and the public URL is this server on loopback, which the
    sandbox reaches. Either one given explicitly wins.
    """
    from hireflix_mcp.server import is_loopback

    update: dict[str, object] = {}
    if settings.webhook_secret is None:
        update["webhook_secret"] = SecretStr(secret)
    if settings.public_url is None:
        reachable = host if is_loopback(host) else "127.0.0.1"
        if ":" in reachable:
            reachable = f"[{reachable.strip('[]')}]"
        update["public_url"] = f"http://{reachable}:{port}"
    return settings.model_copy(update=update)


def _print_connect_help(args: argparse.Namespace, api_url: str) -> None:
    cmd = [sys.argv[0] if sys.argv and sys.argv[0] else "hireflix-mcp", "serve", "--sandbox"]
    print(f"hireflix-mcp: using the local Hireflix sandbox at {api_url}", file=sys.stderr)
    if args.transport == "http":
        url = f"http://{args.host}:{args.port}/mcp"
        print(f"  MCP endpoint: {url}", file=sys.stderr)
        print(
            "  Webhooks:     create_webhook without a url points the sandbox at this server's receiver",
            file=sys.stderr,
        )
        print(
            f"  Inspector:    npx @modelcontextprotocol/inspector --cli {url} --method tools/list",
            file=sys.stderr,
        )
        return
    desktop = {"mcpServers": {"hireflix-sandbox": {"command": cmd[0], "args": cmd[1:]}}}
    print("  Inspector:    npx @modelcontextprotocol/inspector --cli " + shlex.join(cmd), file=sys.stderr)
    print("  Claude Desktop (claude_desktop_config.json):", file=sys.stderr)
    print("    " + json.dumps(desktop), file=sys.stderr)
    print("  Claude Code:  claude mcp add hireflix-sandbox -- " + shlex.join(cmd), file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    # Start-up only builds long-lived objects (modules, schemas, validators): collecting cycles among
    # them is wasted work (~45 ms of a cold start here). `_run` freezes them once built, so later
    # collections skip them too. Restored on every path: tests call `main` in their own process.
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    from hireflix_mcp.server import build_server, http_app
    from hireflix_mcp.tools.catalog import Profile

    try:
        settings = Settings.from_env(
            confirm=args.confirm, log_level=args.log_level, public_url=args.public_url
        )
        profile = Profile.parse(args.toolsets, args.tools, args.exclude_tools, args.read_only)
    except (ValidationError, ValueError) as exc:
        print(f"hireflix-mcp: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)

    with contextlib.ExitStack() as stack:
        if args.sandbox:
            url, key, webhook_secret = stack.enter_context(_sandbox_backend(args.sandbox_db))
            settings = settings.model_copy(update={"api_url": url, "api_key": SecretStr(key)})
            if args.transport == "http":
                settings = _sandbox_webhook_settings(settings, webhook_secret, args.host, args.port)
            _print_connect_help(args, url)
        elif settings.api_key is None:
            print(
                "hireflix-mcp: HIREFLIX_API_KEY is not set. Create a key in Hireflix under My account -> "
                "API keys, or run with --sandbox to try the local Hireflix.",
                file=sys.stderr,
            )
            return 2
        if settings.confirm == "off":
            logger.warning("confirmation policy is OFF: destructive tools run without asking anyone")
        try:
            server = build_server(settings, profile, conformance_fixtures=args.conformance_fixtures)
        except ValueError as exc:
            print(f"hireflix-mcp: {exc}", file=sys.stderr)
            return 2
        gc.freeze()
        gc.enable()
        if args.transport == "stdio":
            server.run()
            return 0
        import uvicorn

        allowed = tuple(h.strip() for h in args.allowed_hosts.split(",") if h.strip())
        try:
            app = http_app(
                server,
                settings,
                host=args.host,
                port=args.port,
                stateless=args.stateless,
                allowed_hosts=allowed,
                conformance_fixtures=args.conformance_fixtures,
            )
        except ValueError as exc:
            print(f"hireflix-mcp: {exc}", file=sys.stderr)
            return 2
        uvicorn.run(
            app, host=args.host, port=args.port, log_level=settings.log_level.lower(), log_config=None
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="hireflix-mcp", description="Hireflix for AI assistants, over MCP.")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    sub.add_parser(
        "sandbox", help="run the local Hireflix (see `hireflix-mcp sandbox --help`)", add_help=False
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
    args = parser.parse_args(argv)
    return _serve(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
