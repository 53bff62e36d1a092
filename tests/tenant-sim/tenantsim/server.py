"""The HTTP/1.1 server: keep-alive, TLS, routing, latency, injected faults and the control API (/_sim/...).

Built on ThreadingHTTPServer (a daemon thread per connection) with its own request parsing and response
writing: one write per answer, Content-Length always set, nothing re-read or logged per request by default.
A malformed request, a vanished client or an exception in a service never takes the server down.
"""
from __future__ import annotations

import ipaddress
import json
import re
import select
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

from . import graph, identity
from .httpmsg import Request, Response, empty_response, json_response
from .sim import Sim

_MAX_LINE = 65536
_MAX_HEADERS = 100
_MAX_BODY = 16 * 1024 * 1024
_IDLE_TIMEOUT = 120.0               # seconds a kept-alive connection may sit idle
_TLS_HANDSHAKE_TIMEOUT = 10.0
_GRAPH_PATH = re.compile(r"^/(?:v1\.0|beta)(?:/|$)")
_USER_PATH = re.compile(r"^/_sim/users/(.+)$")
_DIGITS = re.compile(r"[0-9]{1,12}")
_SERVER_OWNED = frozenset({"content-length", "date", "connection", "transfer-encoding"})
_REASONS = {s.value: s.phrase for s in HTTPStatus}

FAULT_KINDS = ("500", "503", "429", "hang", "reset", "malformed", "truncated", "content-type", "mfa-required")
# Transient answers in each service's own words: Graph (code, message); Entra (error, AADSTS code, message).
_GRAPH_TRANSIENT = {
    500: ("generalException", "General exception while processing."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable for maintenance or is overloaded. You may "
                                 "repeat the request after a delay, which may be specified in a Retry-After header."),
    429: ("TooManyRequests", "Too many requests."),
}
_ENTRA_TRANSIENT = {
    500: ("server_error", 50000, "There was an error issuing a token or an issue with our sign-in service."),
    503: ("temporarily_unavailable", 90006, "The service is temporarily unavailable."),
    429: ("temporarily_unavailable", 90055, "There are too many incoming requests."),
}
# Bodies for the broken-answer faults: a complete but invalid JSON text, and a valid one to cut in half.
# "mfa-required": what the token endpoint answers when a policy now wants multi-factor authentication, e.g. to
# a refresh asked for a CAE challenge's claims after the operator moved to a new location.
_MFA_REQUIRED = ("interaction_required", 50076,
                 "Due to a configuration change made by your administrator, or because you moved to a new location, "
                 "you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.")
_MALFORMED_BODY = b'{"value":[{"id":"00000000-0000-0000-0000-000000000000","displayName":"Broken",]}'
_TRUNCATED_BODY = json.dumps({"value": [{"id": str(uuid.UUID(int=i)), "displayName": f"User {i}"}
                                        for i in range(40)]}).encode()
_PORTAL_BODY = (b"<!DOCTYPE html><html><head><title>Network sign-in required</title></head><body>"
                b"<h1>Sign in to the network</h1><p>Your connection is being intercepted by a proxy.</p></body></html>")

CONFIG_KEYS = ("latency_ms", "access_token_lifetime", "refresh_token_lifetime", "code_lifetime",
               "ru_limit", "ru_window", "write_limit", "write_window")
_THROTTLE_KEYS = ("ru_limit", "ru_window", "write_limit", "write_window")
_NULLABLE_KEYS = frozenset({"access_token_lifetime", *_THROTTLE_KEYS})     # null restores the default


def is_loopback_peer(address: str) -> bool:
    """The control API's gate: only 127.0.0.0/8, ::1 and IPv4-mapped loopback may steer the simulator."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@dataclass(slots=True)
class Fault:
    id: str
    pattern: re.Pattern[str]
    method: str
    kind: str
    remaining: int                  # -1: until cleared
    retry_after: float


class FaultTable:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, raw_path: str) -> Fault | None:
        if not self._faults:        # the common case: no lock, no regex
            return None
        with self._lock:
            for fault in self._faults:
                if fault.method in ("*", method) and fault.pattern.search(raw_path):
                    if fault.remaining > 0:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False          # hung connections must not hold up shutdown
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, sim: Sim, host: str, port: int, ssl_context: ssl.SSLContext | None) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sim = sim
        self.ssl_context = ssl_context
        self.faults = FaultTable()
        self.stopping = threading.Event()
        self._date = (0, "")
        super().__init__((host, port), Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup of the address; it is slow and of no use here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address) -> None:
        # Called for what escapes a connection's handler: one line on stderr, not socketserver's traceback.
        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, OSError):
            _log(f"connection error: {_one_line(exc)}")

    def http_date(self) -> str:
        now = int(self.sim.clock.now())
        cached = self._date
        if cached[0] != now:
            cached = self._date = (now, formatdate(now, usegmt=True))
        return cached[1]

    def respond(self, request: Request) -> Response:
        """The service's answer to a request (control API, Graph or identity); exceptions become a 500."""
        try:
            if request.raw_path.startswith("/_sim/"):
                return control(self, request)
            if _GRAPH_PATH.match(request.raw_path):
                return graph.handle(self.sim, request)
            return identity.handle(self.sim, request)
        except Exception as exc:    # a bug in a service must cost one answer, not the server
            _log(f"error in {request.method} {request.raw_path}: {_one_line(exc)}")
            return self.transient(request, 500, 0)

    def transient(self, request: Request, status: int, retry_after: float) -> Response:
        """500/503/429 in the shape of the service that owns the path."""
        headers = [("Retry-After", _seconds(retry_after))] if status in (503, 429) else []
        if _GRAPH_PATH.match(request.raw_path):
            code, message = _GRAPH_TRANSIENT[status]
            return graph.error_response(self.sim, request, status, code, message, headers)
        error, aadsts, message = _ENTRA_TRANSIENT[status]
        return identity.error_response(self.sim, request, status, error, aadsts, message, headers)


class _Close(Exception):
    """End the connection without (further) answer."""


class Handler(socketserver.StreamRequestHandler):
    timeout = _IDLE_TIMEOUT
    disable_nagle_algorithm = True
    server: SimServer

    def setup(self) -> None:
        if self.server.ssl_context is not None:
            # The handshake runs in handle(), on this connection's thread, where its failures are caught.
            self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True,
                                                               do_handshake_on_connect=False)
        super().setup()

    def handle(self) -> None:
        try:
            if self.server.ssl_context is not None:
                self.connection.settimeout(_TLS_HANDSHAKE_TIMEOUT)
                self.connection.do_handshake()
                self.connection.settimeout(self.timeout)
            while not self.server.stopping.is_set() and self._serve_one():
                pass
        except (_Close, OSError):
            pass                    # the peer left, timed out, spoke garbage TLS, or a fault ended the connection

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        if self.server.ssl_context is not None:
            self.connection.close()

    # -- one request ---------------------------------------------------------------------------------------------
    def _serve_one(self) -> bool:
        """Reads and answers one request; False when the connection should close."""
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            return False
        if line in (b"\r\n", b"\n"):
            return True             # a stray empty line between requests is allowed (RFC 9112)
        if len(line) > _MAX_LINE:
            return self._refuse(414)
        parts = line.split()
        if len(parts) != 3 or parts[2] not in (b"HTTP/1.1", b"HTTP/1.0"):
            return self._refuse(400 if len(parts) != 3 or not parts[2].startswith(b"HTTP/") else 505)
        method, target, version = parts[0].decode("latin-1"), parts[1].decode("utf-8", "replace"), parts[2]
        headers = self._read_headers()
        if headers is None:
            return self._refuse(400)
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection if version == b"HTTP/1.1" else "keep-alive" in connection
        body = self._read_body(headers, version)
        if body is None:
            return False
        if not target.startswith("/"):
            if "://" not in target:
                return self._refuse(400)
            target = "/" + target.split("://", 1)[1].partition("/")[2]      # absolute form
        raw_path, _, raw_query = target.partition("?")
        raw_path = raw_path.partition("#")[0]
        request = Request(method, unquote(raw_path, errors="replace"), raw_path,
                          dict(parse_qsl(raw_query, keep_blank_values=True, errors="replace")) if raw_query else {},
                          raw_query, headers, body, self.client_address[0])
        return self._answer(request, keep_alive)

    def _read_headers(self) -> dict[str, str] | None:
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS):
            line = self.rfile.readline(_MAX_LINE + 1)
            if not line:
                raise _Close()
            if line in (b"\r\n", b"\n"):
                return headers
            if len(line) > _MAX_LINE:
                return None
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                return None
            key, value = name.lower(), value.strip()
            if key in headers:
                value = headers[key] + ("; " if key == "cookie" else ", ") + value
            headers[key] = value
        return None

    def _read_body(self, headers: dict[str, str], version: bytes) -> bytes | None:
        chunked = "transfer-encoding" in headers
        length = headers.get("content-length")
        if chunked and headers["transfer-encoding"].lower() != "chunked":
            self._refuse(501)
            return None
        if not chunked and length is not None and (not _DIGITS.fullmatch(length) or int(length) > _MAX_BODY):
            self._refuse(413 if _DIGITS.fullmatch(length) else 400)
            return None
        if (chunked or length not in (None, "0")) and version == b"HTTP/1.1" \
                and headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if chunked:
            return self._read_chunked()
        if not length:
            return b""
        body = self.rfile.read(int(length))
        return body if len(body) == int(length) else None

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(_MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self._refuse(400)
                return None
            total += size
            if size < 0 or total > _MAX_BODY:
                self._refuse(413)
                return None
            if size == 0:
                while self.rfile.readline(_MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                    pass            # trailers: read and ignored
                return b"".join(parts)
            chunk = self.rfile.read(size)
            if len(chunk) != size:
                return None
            parts.append(chunk)
            self.rfile.readline(_MAX_LINE + 1)

    def _refuse(self, status: int) -> bool:
        """A protocol-level error (before any service saw the request): plain text, then close."""
        text = f"{status} {_REASONS.get(status, '')}\n".encode()
        self._write(Response(status, [("Content-Type", "text/plain; charset=utf-8")], text), False, False)
        return False

    # -- answers -------------------------------------------------------------------------------------------------
    def _answer(self, request: Request, keep_alive: bool) -> bool:
        server = self.server
        sim = server.sim
        control_path = request.raw_path.startswith("/_sim/")
        fault = None if control_path else server.faults.take(request.method, request.raw_path)
        latency = sim.config.latency_ms
        if latency > 0 and not control_path:
            time.sleep(latency / 1000)
        if fault is None:
            response = server.respond(request)
        elif fault.kind == "hang":
            self._hang()
            raise _Close()
        elif fault.kind == "reset":
            # Linger 0: closing sends a RST. Closed here, before the server's own graceful shutdown of the socket.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            raise _Close()
        elif fault.kind in ("500", "503", "429"):
            response = server.transient(request, int(fault.kind), fault.retry_after)
        elif fault.kind == "malformed":
            response = Response(200, [("Content-Type", "application/json; charset=utf-8")], _MALFORMED_BODY)
        elif fault.kind == "content-type":
            response = Response(200, [("Content-Type", "text/html; charset=utf-8")], _PORTAL_BODY)
        elif fault.kind == "mfa-required":
            response = identity.error_response(sim, request, 400, *_MFA_REQUIRED)
        else:                       # truncated: promise the whole body, send half of it, close
            response = Response(200, [("Content-Type", "application/json; charset=utf-8")], _TRUNCATED_BODY)
            self._write(response, False, request.method == "HEAD", truncate=True)
            raise _Close()
        if sim.config.verbose:
            _log(f"{request.method} {request.raw_path} {response.status}")
        self._write(response, keep_alive, request.method == "HEAD")
        return keep_alive

    def _write(self, response: Response, keep_alive: bool, head_only: bool, truncate: bool = False) -> None:
        status = response.status
        body = response.body
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}", f"Date: {self.server.http_date()}"]
        lines.extend(f"{name}: {value}" for name, value in response.headers if name.lower() not in _SERVER_OWNED)
        if status in (204, 304):
            body = b""
        else:
            lines.append(f"Content-Length: {len(body)}")
        if not keep_alive:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        if head_only:
            body = b""
        elif truncate:
            body = body[:len(body) // 2]
        self.wfile.write(head + body)

    def _hang(self) -> None:
        """Keep the connection open, answering nothing, until the client gives up or the server stops."""
        sock = self.connection
        while not self.server.stopping.is_set():
            readable, _, _ = select.select([sock], [], [], 0.2)
            if not readable:
                continue
            try:
                if not sock.recv(4096):
                    return
            except (BlockingIOError, ssl.SSLWantReadError):
                continue
            except OSError:
                return


# -- control API --------------------------------------------------------------------------------------------------
def _control_error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def control(server: SimServer, request: Request) -> Response:
    if not is_loopback_peer(request.client_ip):
        return _control_error(403, "the control API answers loopback peers only")
    sim = server.sim
    path, method = request.path, request.method
    body: object = None
    if request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            return _control_error(400, "the body is not JSON")
    if path == "/_sim/health":
        if method != "GET":
            return _control_error(405, "use GET")
        return json_response(200, {"status": "ok", "users": len(sim.directory)})
    if path == "/_sim/faults":
        if method == "DELETE":
            server.faults.clear()
            return empty_response(204)
        if method != "POST":
            return _control_error(405, "use POST or DELETE")
        return _add_fault(server, body)
    if path == "/_sim/clock":
        if method != "POST":
            return _control_error(405, "use POST")
        advance = body.get("advance") if isinstance(body, dict) else None
        if not isinstance(advance, (int, float)) or isinstance(advance, bool) or advance < 0:
            return _control_error(400, '"advance" must be a number of seconds, zero or more')
        sim.clock.advance(float(advance))
        return json_response(200, {"now": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sim.clock.now()))})
    if path == "/_sim/config":
        if method == "GET":
            return json_response(200, _effective_config(sim))
        if method != "PUT":
            return _control_error(405, "use GET or PUT")
        return _put_config(sim, body)
    user_match = _USER_PATH.match(path)
    if user_match:
        user = sim.directory.by_id_or_upn(user_match[1])
        if method == "DELETE":
            deleted = user is not None and sim.directory.delete(user.id)
            return empty_response(204) if deleted else _control_error(404, "no such user")
        if method != "GET":
            return _control_error(405, "use GET or DELETE")
        if user is None:
            return _control_error(404, "no such user")
        return json_response(200, {
            "id": user.id, "upn": user.user_principal_name, "display_name": user.display_name,
            "account_enabled": user.account_enabled, "user_type": user.user_type, "roles": user.roles,
            "revoked_at": user.revoked_at, "valid_from": sim.directory.valid_from(user)})
    return _control_error(404, "no such control endpoint")


def _add_fault(server: SimServer, body: object) -> Response:
    if not isinstance(body, dict):
        return _control_error(400, "expected a JSON object")
    kind = str(body.get("kind", ""))
    method = str(body.get("method", "*")).upper()
    count = body.get("count", 1)
    retry_after = body.get("retry_after", 2)
    if kind not in FAULT_KINDS:
        return _control_error(400, f'"kind" must be one of {", ".join(FAULT_KINDS)}')
    if not isinstance(count, int) or isinstance(count, bool) or (count < 1 and count != -1):
        return _control_error(400, '"count" must be a positive number, or -1 for "until cleared"')
    if not isinstance(retry_after, (int, float)) or isinstance(retry_after, bool) or retry_after < 0:
        return _control_error(400, '"retry_after" must be a number of seconds')
    try:
        pattern = re.compile(str(body.get("path", "")))
    except re.error as e:
        return _control_error(400, f'"path" is not a valid regular expression: {e}')
    fault = Fault(uuid.uuid4().hex, pattern, method, kind, count, float(retry_after))
    server.faults.add(fault)
    return json_response(201, {"id": fault.id})


def _effective_config(sim: Sim) -> dict:
    config = sim.config
    return {"latency_ms": config.latency_ms, "access_token_lifetime": config.access_token_lifetime,
            "refresh_token_lifetime": config.refresh_token_lifetime, "code_lifetime": config.code_lifetime,
            **sim.throttle.effective(len(sim.directory))}


def _put_config(sim: Sim, body: object) -> Response:
    if not isinstance(body, dict):
        return _control_error(400, "expected a JSON object")
    unknown = sorted(set(body) - set(CONFIG_KEYS))
    if unknown:
        return _control_error(400, f"unknown settings: {', '.join(unknown)}")
    for key, value in body.items():
        if value is None and key in _NULLABLE_KEYS:
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or value < 0 or (value == 0 and key != "latency_ms"):
            return _control_error(400, f'"{key}" must be a positive number' +
                                  (" or null" if key in _NULLABLE_KEYS else ""))
    for key, value in body.items():
        if key not in _THROTTLE_KEYS:
            setattr(sim.config, key, value)
    throttle = {k: body[k] for k in _THROTTLE_KEYS if k in body}
    if throttle:
        for key, value in throttle.items():
            setattr(sim.config, key, value)
        sim.throttle.configure(**throttle)
    return json_response(200, _effective_config(sim))


# -- helpers ------------------------------------------------------------------------------------------------------
def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _one_line(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}".replace("\n", " ")


def _log(message: str) -> None:
    print(f"tenant-sim: {message}", file=sys.stderr, flush=True)
