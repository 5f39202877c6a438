"""Console entry point: ``pytest-delta-lsp`` / ``python -m pytest_delta_lsp``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from . import __version__


def _host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT (like 127.0.0.1:2087), got {value!r}")
    return host or "127.0.0.1", int(port)


def _not_exit(record: logging.LogRecord) -> bool:
    """Over TCP, pygls ends the process with ``sys.exit`` inside the connection's task, which
    asyncio reports as an unhandled exception: that is the normal ``exit``, not an error."""
    return not (record.exc_info and isinstance(record.exc_info[1], SystemExit))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-delta-lsp",
        description="Language server of pytest-delta: shows which tests your unsaved and saved "
                    "changes affect (code lenses), runs them, and answers pytestDelta/affectedTests.",
        epilog="Editors start it over stdio (the default). Settings come from initializationOptions: "
               "interpreter, pytestArgs, deltaFile, debounceMs, rescanIntervalMs, precision.",
    )
    parser.add_argument("--version", action="store_true",
                        help="print the version (and pygls's) and exit; fails when pygls is missing")
    parser.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", type=_host_port,
                        help="listen on a TCP port instead (for debugging)")
    parser.add_argument("--log-file", metavar="PATH", help="write the server's own log to this file")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    handler: logging.Handler = (logging.FileHandler(args.log_file) if args.log_file
                                else logging.StreamHandler(sys.stderr))
    logging.basicConfig(level=level, handlers=[handler],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        from .server import build_server
    except ImportError as exc:  # pygls is an extra
        print(f"pytest-delta-lsp: {exc.name or exc} is missing; install it with "
              "pip install 'pytest-delta[lsp]'", file=sys.stderr)
        return 2
    if args.version:
        # After the import, so that editors checking the install with --version see a broken one.
        from importlib.metadata import PackageNotFoundError, version

        try:
            pygls_version = version("pygls")
        except PackageNotFoundError:
            pygls_version = "unknown"
        print(f"pytest-delta-lsp {__version__} (pygls {pygls_version})")
        return 0
    server = build_server()
    try:
        if args.tcp:
            logging.getLogger("asyncio").addFilter(_not_exit)
            server.start_tcp(*args.tcp)
        else:
            server.start_io()
    finally:
        server.session.close()
    # LSP: exit code 0 after a shutdown request, 1 when the client exited without one.
    return 0 if server.session.shutting_down else 1


if __name__ == "__main__":
    sys.exit(main())
