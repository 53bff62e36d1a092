#!/usr/bin/python3
"""The operator's browser against the real tenant-sim: xdg-open -> $BROWSER (system-browser.sh) -> operator.mjs ->
headless Chromium -> the simulator's sign-in page -> a loopback listener standing in for the app.

Builds the authorize URL by hand (as the app does: PKCE S256, state, nonce, prompt=select_account), opens it exactly
as QDesktopServices::openUrl does on Linux, and checks what the listener received. The code is redeemed at the
token endpoint with the PKCE verifier to prove it is a real one; it is never printed.

    python3 test_tenant_sim.py -v       (from anywhere; CTest runs it as e2e.browser-tenant-sim)
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tenant-sim", "tests"))

from simproc import SimProcess  # noqa: E402  (after the path set-up)

SYSTEM_BROWSER = os.path.join(HERE, "system-browser.sh")
CLIENT_ID = "8c3791a0-3f69-437d-9f93-53f516aafdb3"
TENANT = "contoso.test"
SCOPE = "openid profile offline_access https://graph.microsoft.com/User.Read.All"
OPERATOR = "helpdesk@contoso.test"
PASSWORD = "Passw0rd!"
SUCCESS_PAGE = ("<!DOCTYPE html><html><head><title>Session Revoker</title></head><body><p>Signed in. You can close "
                "this window and return to Session Revoker.</p></body></html>").encode()


class Listener:
    """The app's loopback redirect listener: records every request (path and query) and answers a small page."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.arrived = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                listener.requests.append((parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))))
                body, status = (b"", 404) if parts.path == "/favicon.ico" else (SUCCESS_PAGE, 200)
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if parts.path == "/":
                    listener.arrived.set()

            def log_message(self, *args) -> None:  # the query holds the code: never log it
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def callbacks(self) -> list[dict[str, str]]:
        return [query for path, query in self.requests if path == "/"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class OperatorBrowserAgainstTenantSim(unittest.TestCase):
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        for need in ("/usr/bin/chromium", os.path.join(HERE, "node_modules", "playwright-core")):
            if not os.path.exists(need):
                raise unittest.SkipTest(f"{need} is missing: run scripts/setup.sh")
        cls.sim = SimProcess("--users", "50").start()
        cls.work = tempfile.mkdtemp(prefix="sr-browser-sim-")
        cls.timings: list[tuple[str, float, dict]] = []

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.close()
        for name, seconds, report in cls.timings:
            print(f"timing: {name}: {seconds * 1000:.0f} ms from xdg-open to the report "
                  f"(driver {report.get('elapsed_ms')} ms, browser start {report.get('browser_start_ms')} ms)",
                  file=sys.stderr)
        if os.environ.get("SR_TEST_KEEP"):
            print(f"work folder: {cls.work}", file=sys.stderr)
        else:
            shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self) -> None:
        self.listener = Listener()
        self.addCleanup(self.listener.close)

    # -- helpers ---------------------------------------------------------------------------------------------
    def authorize_url(self, state: str, challenge: str, **extra: str) -> str:
        params = {"client_id": CLIENT_ID, "response_type": "code",
                  "redirect_uri": f"http://127.0.0.1:{self.listener.port}/", "scope": SCOPE, "state": state,
                  "nonce": secrets.token_urlsafe(16), "code_challenge": challenge, "code_challenge_method": "S256",
                  "prompt": "select_account", "response_mode": "query", **extra}
        return f"{self.sim.base_url}/{TENANT}/oauth2/v2.0/authorize?{urlencode(params)}"

    def open_in_browser(self, url: str, **env: str) -> dict:
        """xdg-open <url> as the app's QDesktopServices::openUrl does, then the driver's report line."""
        name = self.id().rsplit(".", 1)[-1]
        report = os.path.join(self.work, f"{name}.{len(self.timings)}.jsonl")
        log = os.path.join(self.work, f"{name}.{len(self.timings)}.log")
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith("SR_BROWSER_") and k not in (
                           "DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION",
                           "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID", "MATE_DESKTOP_SESSION_ID")}
        environment.update({"BROWSER": SYSTEM_BROWSER, "SR_BROWSER_REPORT": report, "SR_BROWSER_LOG": log,
                            "SR_BROWSER_SCREENSHOT": os.path.join(self.work, f"{name}.{len(self.timings)}.png"),
                            **env})
        started = time.monotonic()
        opened = subprocess.run(["xdg-open", url], env=environment, capture_output=True, timeout=10)
        self.assertEqual(opened.returncode, 0, opened.stderr.decode(errors="replace"))
        self.assertFalse(os.path.exists(report), "xdg-open must return at once, not wait for the browser")
        deadline = started + 45
        text = ""
        while time.monotonic() < deadline:
            if os.path.exists(report):
                with open(report, encoding="utf-8") as f:
                    text = f.read()
                if text.endswith("\n"):
                    break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        self.assertTrue(text.endswith("\n"), "the driver wrote no report within 45 s")
        lines = text.splitlines()
        self.assertEqual(len(lines), 1, "one report line per run")
        result = json.loads(lines[0])
        self.timings.append((name, elapsed, result))
        with open(log, encoding="utf-8") as f:
            log_text = f.read()
        for code in [q.get("code") for q in self.listener.callbacks() if q.get("code")]:
            self.assertNotIn(code, text, "the report must not contain the authorization code")
            self.assertNotIn(code, log_text, "the driver's log must not contain the authorization code")
        self.assertIsNone(re.search(r"[?&#]code=", text + log_text), "no code= parameter in the report or log")
        return result

    def redeem(self, code: str, verifier: str) -> dict:
        reply = self.sim.post_form(f"/{TENANT}/oauth2/v2.0/token", {
            "grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code,
            "redirect_uri": f"http://127.0.0.1:{self.listener.port}/", "code_verifier": verifier, "scope": SCOPE})
        self.assertEqual(reply.status, 200, "the code redeems with the PKCE verifier")
        return reply.json()

    def assert_signed_in(self, report: dict, state: str, verifier: str) -> None:
        self.assertEqual(report["outcome"], "redirected", report.get("reason") or report.get("error_text"))
        self.assertTrue(report["redirect_has_code"])
        self.assertFalse(report["redirect_has_error"])
        self.assertEqual(report["redirect_host"], "127.0.0.1")
        self.assertEqual(report["page_title"], "Session Revoker")
        self.assertTrue(self.listener.arrived.wait(5))
        callbacks = self.listener.callbacks()
        self.assertEqual(len(callbacks), 1, "exactly one redirect reached the listener")
        query = callbacks[0]
        self.assertTrue(query.get("code"), "the redirect carries a code")
        self.assertEqual(query.get("state"), state)
        self.assertNotIn("error", query)
        tokens = self.redeem(query["code"], verifier)
        self.assertIn("access_token", tokens)
        self.assertIn("refresh_token", tokens)

    # -- cases -----------------------------------------------------------------------------------------------
    def test_sign_in(self) -> None:
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        report = self.open_in_browser(self.authorize_url(state, challenge), SR_BROWSER_ACTION="sign-in",
                                      SR_BROWSER_USER=OPERATOR, SR_BROWSER_PASSWORD=PASSWORD)
        self.assert_signed_in(report, state, verifier)

    def test_cancel_is_access_denied(self) -> None:
        _, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        report = self.open_in_browser(self.authorize_url(state, challenge), SR_BROWSER_ACTION="cancel")
        self.assertEqual(report["outcome"], "redirected", report.get("reason"))
        self.assertTrue(report["redirect_has_error"])
        self.assertFalse(report["redirect_has_code"])
        self.assertEqual(report["redirect_error"], "access_denied")
        self.assertTrue(self.listener.arrived.wait(5))
        callbacks = self.listener.callbacks()
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(callbacks[0].get("error"), "access_denied")
        self.assertEqual(callbacks[0].get("state"), state)
        self.assertNotIn("code", callbacks[0])

    def test_wrong_password_shows_the_error(self) -> None:
        _, challenge = pkce_pair()
        report = self.open_in_browser(self.authorize_url(secrets.token_urlsafe(16), challenge),
                                      SR_BROWSER_ACTION="wrong-password", SR_BROWSER_USER=OPERATOR)
        self.assertEqual(report["outcome"], "sign-in-error", report.get("reason"))
        self.assertIn("password is incorrect", report["error_text"])
        self.assertEqual(report["error_field"], "password")
        self.assertEqual(self.listener.requests, [], "nothing reached the app")

    def test_unknown_user_is_a_sign_in_error(self) -> None:
        _, challenge = pkce_pair()
        report = self.open_in_browser(self.authorize_url(secrets.token_urlsafe(16), challenge),
                                      SR_BROWSER_USER="nobody@contoso.test")
        self.assertEqual(report["outcome"], "sign-in-error", report.get("reason"))
        self.assertEqual(report["error_field"], "username")

    def test_account_picker_tile_signs_in_again(self) -> None:
        """A kept profile is the operator's browser that stayed open: the picker lists the earlier sign-in."""
        profile = os.path.join(self.work, "profile")
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        first = self.open_in_browser(self.authorize_url(state, challenge), SR_BROWSER_PROFILE=profile)
        self.assert_signed_in(first, state, verifier)
        self.assertFalse(first["picker_shown"], "no account signed in yet: the sign-in page comes first")

        self.listener.requests.clear()
        self.listener.arrived.clear()
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        again = self.open_in_browser(self.authorize_url(state, challenge), SR_BROWSER_PROFILE=profile,
                                     SR_BROWSER_ACCOUNT=OPERATOR, SR_BROWSER_PASSWORD="not used")
        self.assertTrue(again["picker_shown"])
        self.assertTrue(again["account_picked"])
        self.assert_signed_in(again, state, verifier)


if __name__ == "__main__":
    unittest.main()
