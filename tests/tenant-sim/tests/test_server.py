"""The server itself against the real tenant-sim process: command line, start and stop, HTTP/1.1 handling,
robustness, TLS, injected faults, latency and the control API. Plus in-process checks of what a child process
cannot show (the loopback gate, an exception inside a service, the Graph token check)."""
from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import unittest
from contextlib import redirect_stderr
from unittest import mock

from simproc import CLIENT_ID, EXECUTABLE, TENANT_ID, Reply, SimProcess

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tenantsim import graph, identity, server as sim_server  # noqa: E402  (after the path is set)
from tenantsim.config import Config  # noqa: E402
from tenantsim.httpmsg import Request  # noqa: E402
from tenantsim.sim import Sim  # noqa: E402
from tenantsim.tokens import MSG_AUDIENCE, MSG_EMPTY, MSG_EXPIRED, MSG_INVALID, MSG_MALFORMED  # noqa: E402

KEYS_PATH = f"/{TENANT_ID}/discovery/v2.0/keys"
DISCOVERY_PATH = f"/{TENANT_ID}/v2.0/.well-known/openid-configuration"
GRAPH_PATH = "/v1.0/users?$top=1"
OPTIONS = ("--listen", "--tls", "--ca-out", "--users", "--seed", "--latency-ms", "--access-token-lifetime",
           "--refresh-token-lifetime", "--code-lifetime", "--ru-limit", "--ru-window", "--write-limit",
           "--write-window", "--verbose")


def raw_exchange(sim: SimProcess, data: bytes, timeout: float = 5.0) -> bytes:
    """Sends raw bytes on a fresh connection and returns everything until the server closes it."""
    with socket.create_connection(("127.0.0.1", int(sim.base_url.rsplit(":", 1)[1])), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


class CommandLineTests(unittest.TestCase):
    def run_sim(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([EXECUTABLE, *args], capture_output=True, text=True, timeout=30)

    def test_help_lists_every_option_and_the_demo_accounts(self) -> None:
        result = self.run_sim("--help")
        self.assertEqual(result.returncode, 0)
        for text in (*OPTIONS, TENANT_ID, CLIENT_ID, "contoso.test", "Passw0rd!", "helpdesk@contoso.test",
                     "useradmin@contoso.test", "admin@contoso.test", "nora@contoso.test", "lost@contoso.test",
                     "Helpdesk Administrator", "11111111-1111-4111-8111-000000000005"):
            self.assertIn(text, result.stdout)

    def test_refuses_plain_http_on_a_non_loopback_address(self) -> None:
        result = self.run_sim("--listen", "0.0.0.0:0")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stdout, "")
        self.assertIn("--tls", result.stderr)

    def test_bad_arguments_are_refused(self) -> None:
        for args in (("--listen", "nonsense"), ("--users", "-1"), ("--ca-out", "/tmp/x.pem"),
                     ("--latency-ms", "-5")):
            with self.subTest(args=args):
                self.assertEqual(self.run_sim(*args).returncode, 2)

    def test_signals_stop_it_cleanly_and_the_default_ca_is_removed(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig):
                process = subprocess.Popen([EXECUTABLE, "--users", "10", "--tls"], stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)
                try:
                    line = process.stdout.readline()
                    self.assertRegex(line, r"^tenant-sim listening on https://127\.0\.0\.1:\d+\n$")
                    ca_line = process.stderr.readline()
                    ca_path = re.search(r"CA certificate: (\S+)", ca_line)[1]
                    self.assertTrue(os.path.exists(ca_path))
                    process.send_signal(sig)
                    self.assertEqual(process.wait(10), 0)
                    self.assertEqual(process.stdout.read(), "")           # exactly one line on stdout
                    self.assertIn("stopped", process.stderr.read())
                    self.assertFalse(os.path.exists(ca_path))
                finally:
                    process.kill()
                    process.wait()
                    process.stdout.close()
                    process.stderr.close()

    def test_starts_with_the_default_directory(self) -> None:
        # How fast it starts is measured by bench/tenant-sim, not asserted here.
        with SimProcess() as sim:
            self.assertEqual(sim.request("GET", "/_sim/health").json()["users"], 2000)

    def test_occupied_port_is_reported(self) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            result = self.run_sim("--listen", f"127.0.0.1:{taken.getsockname()[1]}")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertIn("cannot listen", result.stderr)


class HttpTests(unittest.TestCase):
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = SimProcess("--users", "50", "--verbose").start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.close()

    def test_keep_alive_and_headers(self) -> None:
        connection = self.sim.connection()
        sockets = set()
        try:
            for _ in range(3):
                connection.request("GET", "/_sim/health")
                response = connection.getresponse()
                body = response.read()
                self.assertEqual(response.status, 200)
                self.assertEqual(response.getheader("Content-Length"), str(len(body)))
                self.assertRegex(response.getheader("Date"), r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")
                self.assertIsNone(response.getheader("Connection"))
                sockets.add(id(connection.sock))
        finally:
            connection.close()
        self.assertEqual(len(sockets), 1)                  # one connection carried all three

    def test_http_1_0_and_connection_close(self) -> None:
        answer = raw_exchange(self.sim, b"GET /_sim/health HTTP/1.0\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 200 "))
        self.assertIn(b"Connection: close", answer)
        answer = raw_exchange(self.sim, b"GET /_sim/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertIn(b"Connection: close", answer)

    def test_pipelined_requests(self) -> None:
        request = b"GET /_sim/health HTTP/1.1\r\nHost: x\r\n\r\n"
        answer = raw_exchange(self.sim, request * 2 + request.replace(b"Host: x", b"Host: x\r\nConnection: close"))
        self.assertEqual(answer.count(b"HTTP/1.1 200 OK"), 3)

    def test_malformed_requests_get_400_and_the_server_lives_on(self) -> None:
        for data, status in ((b"NONSENSE\r\n\r\n", b"400"), (b"GET / HTTP/2.0\r\n\r\n", b"505"),
                             (b"GET /_sim/health HTTP/1.1\r\nBad Header\r\n\r\n", b"400"),
                             (b"POST /x HTTP/1.1\r\nContent-Length: ten\r\n\r\n", b"400"),
                             (b"POST /x HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", b"413"),
                             (b"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", b"501"),
                             (b"GET /" + b"a" * 65532, b"414"),      # just over the limit, and nothing after
                             (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\xab" * 64 + b"\r\n\r\n", b"400")):
            with self.subTest(data=data[:30]):
                answer = raw_exchange(self.sim, data)
                self.assertTrue(answer.startswith(b"HTTP/1.1 " + status), answer[:80])
        self.assertEqual(self.sim.request("GET", "/_sim/health").status, 200)

    def test_clients_that_vanish_do_not_hurt(self) -> None:
        port = int(self.sim.base_url.rsplit(":", 1)[1])
        for data in (b"", b"GET /_sim/hea", b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc",
                     b"GET /_sim/health HTTP/1.1\r\n"):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(data)
        for _ in range(5):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /_sim/health HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()                                   # reset before reading the answer
        self.assertEqual(self.sim.request("GET", "/_sim/health").status, 200)
        self.assertTrue(self.sim.running())

    def test_chunked_body_and_expect_continue(self) -> None:
        form = f"grant_type=password&client_id={CLIENT_ID}&username=nora%40contoso.test&password=Passw0rd%21" \
               "&scope=User.Read".encode()
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(form[i:i + 20]), form[i:i + 20]) for i in range(0, len(form), 20))
        answer = raw_exchange(self.sim, (f"POST /{TENANT_ID}/oauth2/v2.0/token HTTP/1.1\r\nHost: x\r\n"
                                         "Content-Type: application/x-www-form-urlencoded\r\n"
                                         "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n"
                                         "Connection: close\r\n\r\n").encode() + chunked + b"0\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"), answer[:100])
        self.assertIn(b'"access_token"', answer)

    def test_head_has_length_but_no_body(self) -> None:
        answer = raw_exchange(self.sim, f"HEAD {DISCOVERY_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                              .encode())
        head, _, body = answer.partition(b"\r\n\r\n")
        self.assertRegex(head.decode(), r"Content-Length: [1-9]\d+")
        self.assertEqual(body, b"")

    def test_unknown_identity_path_is_404(self) -> None:
        reply = self.sim.request("GET", "/favicon.ico")
        self.assertEqual(reply.status, 404)
        self.assertTrue(reply.headers["Content-Type"].startswith("text/html"))

    def test_verbose_log_names_method_and_path_but_never_query_or_body(self) -> None:
        self.sim.request("GET", f"{DISCOVERY_PATH}?secret-query=1")
        self.sim.password_token("nora@contoso.test")
        self.assertTrue(self.sim.wait_until(lambda: "POST /" in self.sim.stderr()))
        log = self.sim.stderr()
        self.assertIn(f"GET {DISCOVERY_PATH} 200", log)
        self.assertIn(f"POST /{TENANT_ID}/oauth2/v2.0/token 200", log)
        for secret in ("secret-query", "Passw0rd", "nora%40", "eyJ", "1.A"):
            self.assertNotIn(secret, log)


class ControlApiTests(unittest.TestCase):
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = SimProcess("--users", "60", "--seed", "7").start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.close()

    def test_health(self) -> None:
        self.assertEqual(self.sim.request("GET", "/_sim/health").json(), {"status": "ok", "users": 60})

    def test_config_reports_effective_values_and_validates(self) -> None:
        values = self.sim.configure(ru_limit=100, ru_window=2)
        self.assertEqual((values["ru_limit"], values["ru_window"]), (100, 2))
        self.assertEqual(values["write_limit"], 3000)
        self.assertEqual(values["refresh_token_lifetime"], 90 * 86400)
        self.assertEqual(self.sim.configure(ru_limit=None, ru_window=None)["ru_limit"], 5000)   # 60 users
        self.assertEqual(self.sim.request("GET", "/_sim/config").json()["ru_window"], 10)
        for bad in ({"nope": 1}, {"latency_ms": -1}, {"ru_limit": 0}, {"code_lifetime": None}, {"ru_limit": "9"}):
            with self.subTest(bad=bad):
                self.assertEqual(self.sim.call_json("PUT", "/_sim/config", bad).status, 400)
        self.assertEqual(self.sim.request("PUT", "/_sim/config", b"{not json").status, 400)

    def test_clock(self) -> None:
        before = self.sim.call_json("POST", "/_sim/clock", {"advance": 0}).json()["now"]
        after = self.sim.call_json("POST", "/_sim/clock", {"advance": 86400 * 2}).json()["now"]
        self.assertRegex(after, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertGreater(after, before)
        self.assertEqual(self.sim.call_json("POST", "/_sim/clock", {"advance": -5}).status, 400)

    def test_users_record_and_delete(self) -> None:
        record = self.sim.request("GET", "/_sim/users/Lost@contoso.test").json()
        self.assertEqual(record["id"], "11111111-1111-4111-8111-000000000005")
        self.assertEqual((record["upn"], record["roles"], record["revoked_at"]), ("lost@contoso.test", [], None))
        self.assertRegex(record["valid_from"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        guest = "/_sim/users/ann_fabrikam.com%23EXT%23@contoso.test"
        self.assertEqual(self.sim.request("GET", guest).json()["user_type"], "Guest")

        self.sim.password_token("nora@contoso.test")
        self.assertEqual(self.sim.request("DELETE", "/_sim/users/nora@contoso.test").status, 204)
        self.assertEqual(self.sim.request("GET", "/_sim/users/11111111-1111-4111-8111-000000000004").status, 404)
        self.assertEqual(self.sim.request("DELETE", "/_sim/users/nora@contoso.test").status, 404)
        failed = self.sim.post_form(f"/{TENANT_ID}/oauth2/v2.0/token", {
            "grant_type": "password", "client_id": CLIENT_ID, "username": "nora@contoso.test",
            "password": "Passw0rd!", "scope": "User.Read"})
        self.assertEqual(failed.json()["error_codes"], [50034])

    def test_fault_specs_are_validated(self) -> None:
        for spec in ({"path": "x", "kind": "explode"}, {"path": "(", "kind": "500"},
                     {"path": "x", "kind": "500", "count": 0}, {"path": "x", "kind": "503", "retry_after": "soon"}):
            with self.subTest(spec=spec):
                self.assertEqual(self.sim.call_json("POST", "/_sim/faults", spec).status, 400)

    def test_unknown_control_endpoint_and_wrong_method(self) -> None:
        self.assertEqual(self.sim.request("GET", "/_sim/nothing").status, 404)
        self.assertEqual(self.sim.request("POST", "/_sim/health").status, 405)


class FaultTests(unittest.TestCase):
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = SimProcess("--users", "50").start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.close()

    def tearDown(self) -> None:
        self.sim.clear_faults()
        self.sim.configure(latency_ms=0)

    def get_keys(self, timeout: float = 10.0) -> Reply:
        return self.sim.request("GET", KEYS_PATH, timeout=timeout)

    def test_identity_transient_errors_in_entra_shape(self) -> None:
        for kind, status, error, code in (("500", 500, "server_error", 50000),
                                          ("503", 503, "temporarily_unavailable", 90006),
                                          ("429", 429, "temporarily_unavailable", 90055)):
            with self.subTest(kind=kind):
                self.sim.fault(r"/discovery/v2\.0/keys$", kind, retry_after=1.5)
                reply = self.get_keys()
                self.assertEqual(reply.status, status)
                body = reply.json()
                self.assertEqual((body["error"], body["error_codes"]), (error, [code]))
                self.assertTrue(body["error_description"].startswith(f"AADSTS{code}: "))
                self.assertEqual(reply.headers["Retry-After"], None if kind == "500" else "1.5")
                self.assertEqual(self.get_keys().status, 200)            # count 1: the next call is fine

    def test_graph_transient_errors_in_graph_shape(self) -> None:
        for kind, status, code in (("500", 500, "generalException"), ("503", 503, "serviceNotAvailable"),
                                   ("429", 429, "TooManyRequests")):
            with self.subTest(kind=kind):
                self.sim.fault(r"^/v1\.0/users", kind, retry_after=3)
                reply = self.sim.request("GET", GRAPH_PATH)
                self.assertEqual(reply.status, status)
                error = reply.json()["error"]
                self.assertEqual(error["code"], code)
                self.assertIn("request-id", error["innerError"])
                if kind != "500":
                    self.assertEqual(reply.headers["Retry-After"], "3")

    def test_method_filter_and_count(self) -> None:
        self.sim.fault(r"/oauth2/v2\.0/token$", "500", method="POST", count=2)
        self.assertEqual(self.sim.request("GET", KEYS_PATH).status, 200)
        token_path = f"/{TENANT_ID}/oauth2/v2.0/token"
        self.assertEqual(self.sim.request("GET", token_path).status, 400)            # a GET does not match
        self.assertEqual(self.sim.post_form(token_path, {}).status, 500)
        self.assertEqual(self.sim.post_form(token_path, {}).status, 500)
        self.assertEqual(self.sim.post_form(token_path, {}).status, 400)             # spent after two

    def test_until_cleared(self) -> None:
        self.sim.fault(r"keys", "503", count=-1)
        self.assertEqual([self.get_keys().status for _ in range(3)], [503, 503, 503])
        self.sim.clear_faults()
        self.assertEqual(self.get_keys().status, 200)

    def test_regex_is_searched_in_the_raw_path(self) -> None:
        self.sim.fault(r"%40contoso", "500")
        self.assertNotEqual(self.sim.request("GET", "/v1.0/users/nora@contoso.test").status, 500)
        self.assertEqual(self.sim.request("GET", "/v1.0/users/nora%40contoso.test").status, 500)

    def test_hang_keeps_the_connection_open_without_answer(self) -> None:
        self.sim.fault(r"keys", "hang")
        started = time.monotonic()
        with self.assertRaises(TimeoutError):
            self.get_keys(timeout=0.5)
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        self.assertEqual(self.get_keys().status, 200)                 # others are served meanwhile

    def test_reset_closes_abruptly(self) -> None:
        self.sim.fault(r"keys", "reset")
        # A RST, not an orderly close: recv fails rather than returning b"" (which http.client would also
        # report as a ConnectionResetError, RemoteDisconnected).
        with self.assertRaises(ConnectionResetError):
            raw_exchange(self.sim, f"GET {KEYS_PATH} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self.assertEqual(self.get_keys().status, 200)

    def test_malformed_json(self) -> None:
        self.sim.fault(r"keys", "malformed")
        reply = self.get_keys()
        self.assertEqual(reply.status, 200)
        self.assertTrue(reply.headers["Content-Type"].startswith("application/json"))
        with self.assertRaises(ValueError):
            reply.json()

    def test_truncated_json(self) -> None:
        self.sim.fault(r"keys", "truncated")
        with self.assertRaises(http.client.IncompleteRead):
            self.get_keys()

    def test_wrong_content_type(self) -> None:
        self.sim.fault(r"/token$", "content-type")
        reply = self.sim.post_form(f"/{TENANT_ID}/oauth2/v2.0/token", {})
        self.assertEqual(reply.status, 200)
        self.assertTrue(reply.headers["Content-Type"].startswith("text/html"))
        self.assertTrue(reply.text.startswith("<!DOCTYPE html>"))

    def test_mfa_required(self) -> None:
        self.sim.fault(r"/token$", "mfa-required")
        reply = self.sim.post_form(f"/{TENANT_ID}/oauth2/v2.0/token", {})
        self.assertEqual(reply.status, 400)
        answer = reply.json()
        self.assertEqual(answer["error"], "interaction_required")
        self.assertEqual(answer["error_codes"], [50076])
        self.assertTrue(answer["error_description"].startswith("AADSTS50076: "))
        # Once only: the next request is answered as usual (here: the missing grant type).
        self.assertEqual(self.sim.post_form(f"/{TENANT_ID}/oauth2/v2.0/token", {}).json()["error"], "invalid_request")

    def test_control_api_is_never_faulted(self) -> None:
        self.sim.fault(r".*", "reset", count=-1)
        self.assertEqual(self.sim.request("GET", "/_sim/health").status, 200)

    def test_latency(self) -> None:
        self.assertEqual(self.sim.configure(latency_ms=1000)["latency_ms"], 1000)
        started = time.monotonic()
        self.assertEqual(self.get_keys().status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        started = time.monotonic()
        self.sim.request("GET", "/_sim/health")
        # The control API is not delayed: it answers well inside the one-second latency the services get.
        self.assertLess(time.monotonic() - started, 1.0)


class LatencyOptionTests(unittest.TestCase):
    def test_latency_option(self) -> None:
        with SimProcess("--users", "10", "--latency-ms", "200") as sim:
            started = time.monotonic()
            sim.request("GET", KEYS_PATH)
            self.assertGreaterEqual(time.monotonic() - started, 0.2)


class TlsTests(unittest.TestCase):
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = SimProcess("--users", "50", tls=True).start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.close()

    def test_https_with_the_generated_ca(self) -> None:
        self.assertTrue(self.sim.base_url.startswith("https://127.0.0.1:"))
        reply = self.sim.request("GET", "/_sim/health")
        self.assertEqual(reply.status, 200)
        self.assertIn(f"CA certificate: {self.sim.ca_file}", self.sim.stderr())

    def test_certificate_names_localhost_and_is_not_publicly_trusted(self) -> None:
        port = int(self.sim.base_url.rsplit(":", 1)[1])
        connection = http.client.HTTPSConnection("localhost", port, timeout=5, context=self.sim.ssl_context())
        connection.request("GET", "/_sim/health")
        self.assertEqual(connection.getresponse().status, 200)
        connection.close()
        with self.assertRaises(ssl.SSLCertVerificationError):
            untrusted = http.client.HTTPSConnection("127.0.0.1", port, timeout=5,
                                                    context=ssl.create_default_context())
            untrusted.request("GET", "/_sim/health")

    def test_plain_http_and_garbage_on_the_tls_port_do_not_hurt(self) -> None:
        port = int(self.sim.base_url.rsplit(":", 1)[1])
        for data in (b"GET /_sim/health HTTP/1.1\r\nHost: x\r\n\r\n", b"\x16\x03\x01" + b"\xee" * 300, b""):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                try:
                    sock.sendall(data)
                    sock.shutdown(socket.SHUT_WR)
                    answer = sock.recv(100)
                except OSError:
                    answer = b""                                # the server hung up first
                self.assertFalse(answer.startswith(b"HTTP/"))   # no plain-text answer, ever
        self.assertEqual(self.sim.request("GET", "/_sim/health").status, 200)

    def test_faults_over_tls(self) -> None:
        self.sim.fault(r"keys", "hang")
        with self.assertRaises(TimeoutError):
            self.sim.request("GET", KEYS_PATH, timeout=0.5)
        self.sim.fault(r"keys", "reset")
        with self.assertRaises(OSError):
            self.sim.request("GET", KEYS_PATH)
        self.assertEqual(self.sim.request("GET", KEYS_PATH).status, 200)


class InProcessTests(unittest.TestCase):
    """What a child process cannot show: the loopback gate, a crashing service, Graph's token check."""
    sim: Sim

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = Sim(Config(users=0))
        cls.server = sim_server.SimServer(cls.sim, "127.0.0.1", 0, None)
        cls.sim.base_url = f"http://127.0.0.1:{cls.server.server_port}"
        cls.thread = threading.Thread(target=cls.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stopping.set()
        cls.server.shutdown()
        cls.server.server_close()

    def get(self, path: str) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def test_loopback_predicate(self) -> None:
        for address, loopback in (("127.0.0.1", True), ("127.42.0.9", True), ("::1", True),
                                  ("::ffff:127.0.0.1", True), ("10.0.0.1", False), ("192.168.1.20", False),
                                  ("::ffff:10.0.0.1", False), ("fe80::1%eth0", False), ("", False), ("x", False)):
            with self.subTest(address=address):
                self.assertIs(sim_server.is_loopback_peer(address), loopback)

    def test_control_api_refuses_other_peers(self) -> None:
        request = Request("GET", "/_sim/health", "/_sim/health", {}, "", {}, b"", "192.0.2.10")
        self.assertEqual(sim_server.control(self.server, request).status, 403)
        request.client_ip = "127.0.0.1"
        self.assertEqual(sim_server.control(self.server, request).status, 200)

    def test_an_exception_in_a_service_is_a_500_in_its_shape(self) -> None:
        stderr = io.StringIO()
        with redirect_stderr(stderr), mock.patch.object(identity, "handle", side_effect=RuntimeError("boom")):
            status, body = self.get(KEYS_PATH)
        self.assertEqual((status, body["error"], body["error_codes"]), (500, "server_error", [50000]))
        self.assertIn("RuntimeError: boom", stderr.getvalue())
        self.assertEqual(stderr.getvalue().count("\n"), 1)
        with redirect_stderr(io.StringIO()), mock.patch.object(graph, "handle", side_effect=KeyError("x")):
            status, body = self.get(GRAPH_PATH)
        self.assertEqual((status, body["error"]["code"]), (500, "generalException"))
        self.assertEqual(self.get("/_sim/health")[0], 200)

    def test_verify_graph_token(self) -> None:
        tokens = self.sim.tokens
        user = self.sim.directory.by_upn("helpdesk@contoso.test")
        scopes = identity.parse_scopes(self.sim, "openid User.Read.All")
        token, lifetime = tokens.issue_access_token(user, CLIENT_ID, "demo", scopes, (), "127.0.0.1")
        claims, message = tokens.verify_graph_token(f"Bearer {token}")
        self.assertIsNone(message)
        self.assertEqual((claims["upn"], claims["scp"]), ("helpdesk@contoso.test", "User.Read.All openid"))
        self.assertEqual(tokens.verify_graph_token(f"bearer  {token} ")[0]["oid"], user.id)

        header, payload, signature = token.split(".")
        other_audience = identity.parse_scopes(self.sim, "openid")
        id_token = tokens.issue_id_token(user, CLIENT_ID, other_audience, None, "iss")
        for authorization, expected in ((None, MSG_EMPTY), ("", MSG_EMPTY), ("Bearer", MSG_EMPTY),
                                        ("Basic abc", MSG_EMPTY), ("Bearer abc", MSG_MALFORMED),
                                        ("Bearer a.b.c", MSG_MALFORMED),
                                        (f"Bearer {header}.{payload}.{signature[:-4]}AAAA", MSG_INVALID),
                                        (f"Bearer {id_token}", MSG_AUDIENCE)):
            with self.subTest(authorization=authorization):
                self.assertEqual(tokens.verify_graph_token(authorization), (None, expected))

        self.sim.clock.advance(lifetime + 290)                 # Graph tolerates five minutes of clock skew
        self.assertIsNone(tokens.verify_graph_token(f"Bearer {token}")[1])
        self.sim.clock.advance(20)
        self.assertEqual(tokens.verify_graph_token(f"Bearer {token}"), (None, MSG_EXPIRED))


if __name__ == "__main__":
    unittest.main()
