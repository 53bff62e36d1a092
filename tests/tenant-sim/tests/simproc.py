"""Test helper: runs the real tenant-sim executable as a child process and talks to it over HTTP(S).

    with SimProcess("--users", "50", tls=True) as sim:
        reply = sim.request("GET", "/_sim/health")
        token = sim.password_token("helpdesk@contoso.test")["access_token"]
"""
from __future__ import annotations

import http.client
import json
import os
import re
import select
import signal
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlencode, urlsplit

EXECUTABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tenant-sim")
LISTENING = re.compile(r"^tenant-sim listening on (https?://\S+)\n$")

TENANT_ID = "eab3a016-fcf8-474d-95ca-6878c36cb3b2"
CLIENT_ID = "8c3791a0-3f69-437d-9f93-53f516aafdb3"
PASSWORD = "Passw0rd!"
GRAPH_SCOPES = "https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/User.RevokeSessions.All"
DEFAULT_SCOPE = f"openid profile offline_access {GRAPH_SCOPES}"


@dataclass
class Reply:
    status: int
    headers: Message            # case-insensitive; get_all() for repeated headers such as Set-Cookie
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class SimProcess:
    def __init__(self, *args: str, tls: bool = False) -> None:
        self.args = list(args)
        self.tls = tls
        self.base_url = ""
        self.ca_file: str | None = None
        self._process: subprocess.Popen | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="simproc-")
        self._stderr_path = os.path.join(self._dir.name, "stderr.txt")

    # -- life cycle ------------------------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> SimProcess:
        command = [EXECUTABLE, "--listen", "127.0.0.1:0", *self.args]
        if self.tls:
            self.ca_file = os.path.join(self._dir.name, "ca.pem")
            command += ["--tls", "--ca-out", self.ca_file]
        with open(self._stderr_path, "wb") as stderr:
            self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL)
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline().decode() if ready else ""
        match = LISTENING.match(line)
        if match is None:
            self.stop()
            raise RuntimeError(f"tenant-sim did not start (stdout {line!r}): {self.stderr()}")
        self.base_url = match[1]
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then the exit status (None if it had to be killed)."""
        process = self._process
        if process is None:
            return None
        self._process = None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = None
        if process.stdout:
            process.stdout.close()
        return code

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> SimProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stderr(self) -> str:
        with open(self._stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    # -- HTTP ------------------------------------------------------------------------------------------------
    def ssl_context(self) -> ssl.SSLContext:
        """Verifies the simulator's certificate against the CA it generated (never turned off)."""
        assert self.ca_file, "started without tls"
        return ssl.create_default_context(cafile=self.ca_file)

    def connection(self, timeout: float = 10.0) -> http.client.HTTPConnection:
        parts = urlsplit(self.base_url)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=self.ssl_context())
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> Reply:
        connection = self.connection(timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    def post_form(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Reply:
        return self.request("POST", path, urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def call_json(self, method: str, path: str, obj=None) -> Reply:
        body = None if obj is None else json.dumps(obj)
        return self.request(method, path, body, {"Content-Type": "application/json"} if body else {})

    # -- control API -----------------------------------------------------------------------------------------
    def fault(self, path: str, kind: str, method: str = "*", count: int = 1, retry_after: float | None = None) -> str:
        spec: dict = {"path": path, "kind": kind, "method": method, "count": count}
        if retry_after is not None:
            spec["retry_after"] = retry_after
        reply = self.call_json("POST", "/_sim/faults", spec)
        assert reply.status == 201, reply.text
        return reply.json()["id"]

    def clear_faults(self) -> None:
        assert self.request("DELETE", "/_sim/faults").status == 204

    def advance_clock(self, seconds: float) -> None:
        assert self.call_json("POST", "/_sim/clock", {"advance": seconds}).status == 200

    def configure(self, **settings) -> dict:
        reply = self.call_json("PUT", "/_sim/config", settings)
        assert reply.status == 200, reply.text
        return reply.json()

    # -- tokens ----------------------------------------------------------------------------------------------
    def password_token(self, username: str, password: str = PASSWORD, scope: str = DEFAULT_SCOPE,
                       **extra: str) -> dict:
        """Tokens through ROPC (grant_type=password): the quickest way to a signed-in operator in a test."""
        reply = self.post_form(f"/{TENANT_ID}/oauth2/v2.0/token", {
            "grant_type": "password", "client_id": CLIENT_ID, "username": username, "password": password,
            "scope": scope, **extra})
        assert reply.status == 200, reply.text
        return reply.json()

    def wait_until(self, predicate, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()
