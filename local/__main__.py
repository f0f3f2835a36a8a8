"""`python -m local`: the whole stack in the foreground on http://127.0.0.1:$LOCAL_PORT until Ctrl-C.

Exit status: 0 after Ctrl-C / SIGTERM, 2 for a bad fixture file or setting, 1 when the stack
cannot start for another reason (port taken, template or handler that does not load).
"""

from __future__ import annotations

import signal
import sys
import time
import urllib.parse


def _check_port_is_free(port: int) -> None:
    """Fails in a second rather than after building the whole stack. Raises OSError."""
    import socket

    from local.config import HOST

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        probe.bind((HOST, port))


def _make_server(app, settings):
    from werkzeug.serving import WSGIRequestHandler, make_server

    from local.config import HOST

    class RequestLog(WSGIRequestHandler):
        """One short line per request: method, path without its query string, status."""

        def log_request(self, code="-", size="-") -> None:
            path = urllib.parse.urlsplit(self.path).path
            status = getattr(code, "value", code)
            print(f"{time.strftime('%H:%M:%S')} {self.command} {path} {status}", flush=True)

        def log_error(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
            print(f"{time.strftime('%H:%M:%S')} HTTP error: {format % args}", file=sys.stderr, flush=True)

    server = make_server(HOST, settings.port, app, threaded=True, request_handler=RequestLog)
    server.daemon_threads = True
    return server


def main() -> int:
    from local.config import LocalSettings, StartError
    from local.fixtures import FixtureError
    from local.template import TemplateError

    def stop(signum, frame):  # SIGTERM ends the stack like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        settings = LocalSettings.from_environment()
    except StartError as error:
        print(f"local stack not started:\n{error}", file=sys.stderr, flush=True)
        return 2
    try:
        _check_port_is_free(settings.port)
    except OSError as error:
        print(f"local stack not started: cannot listen on 127.0.0.1:{settings.port}: {error.strerror or error} "
              "(another stack running? set LOCAL_PORT)", file=sys.stderr, flush=True)
        return 1
    try:
        from local.demo import demo_lines
        from local.server import FunctionsDoNotLoad, build_stack, log

        log(f"starting: fixtures {settings.fixtures_path.name}, "
            f"links valid {settings.confirmation_link_validity}, addresses kept {settings.pending_email_retention}")
        app, stack = build_stack(settings=settings)
    except (StartError, FixtureError) as error:
        print(f"local stack not started:\n{error}", file=sys.stderr, flush=True)
        return 2
    except TemplateError as error:
        print(f"local stack not started: template.yaml: {error}", file=sys.stderr, flush=True)
        return 1
    except FunctionsDoNotLoad as error:
        print(f"local stack not started: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0

    try:
        server = _make_server(app, settings)
    except (OSError, SystemExit):  # werkzeug says why on stderr, then exits
        stack.close()
        print(f"local stack not started: cannot listen on 127.0.0.1:{settings.port}", file=sys.stderr, flush=True)
        return 1

    urls = stack.urls()
    lines = [
        f"Local stack ready on {stack.origin} ({len(stack.fixtures.beneficiaries)} beneficiaries, "
        f"{len(stack.fixtures.franceconnect_identities)} FranceConnect identities, {len(stack.functions)} functions)",
        f"  web client        {urls['web_base']}",
        f"  API               {urls['api_base']}",
        f"  API docs          {urls['docs']}",
        f"  mailbox           {urls['mailbox']}",
        f"  FranceConnect     {urls['franceconnect_issuer']}"
        + ("" if "/_fc" in stack.mounts else "  (no local provider yet)"),
        f"  workflows         {urls['executions']}",
        f"  stack info        {stack.origin}/_local/info",
        f"  reset the data    curl -X POST {stack.origin}/_local/reset   (fixtures reloaded, mailbox emptied)",
        f"  faults            {stack.origin}/_local/faults   (PUT {{\"ses\": 1}}: see local/README.md)",
        *demo_lines(stack.fixtures),
        "Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        stack.close()
    print("Local stack stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
