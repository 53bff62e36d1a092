"""End to end, with every real part: session-revoker-cli signs in through xdg-open -> $BROWSER -> a real headless
Chromium on tenant-sim's sign-in page, stores the refresh token in a real gnome-keyring (Secret Service), a second
process signs in silently from it, logout removes it, and no token or code is found in any file, stdout or stderr.

Run inside tests/e2e/with-keyring.sh (a private D-Bus session with an unlocked gnome-keyring and a throwaway HOME).
Environment: SR_CLI (the CLI executable), SR_SYSTEM_BROWSER (browser/system-browser.sh), SR_NODE (node).
"""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tenant-sim", "tests"))
from simproc import SimProcess  # noqa: E402  (test helper of the simulator, not app code)

CLI = os.environ.get("SR_CLI", "")
BROWSER = os.environ.get("SR_SYSTEM_BROWSER", os.path.join(HERE, "browser", "system-browser.sh"))
SERVICE = "Session Revoker"
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")


def keychain_entries() -> list[tuple[dict[str, str], str]]:
    """Every Session Revoker entry in the Secret Service: (attributes, secret)."""
    done = subprocess.run(["secret-tool", "search", "--all", "--unlock", "server", SERVICE],
                          capture_output=True, text=True, timeout=30)
    entries: list[tuple[dict[str, str], str]] = []
    attributes: dict[str, str] = {}
    secret = None
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith("[/"):
            if secret is not None:
                entries.append((attributes, secret))
            attributes, secret = {}, None
        elif line.startswith("attribute."):
            name, _, value = line[len("attribute."):].partition(" = ")
            attributes[name] = value
        elif line.startswith("secret = "):
            secret = line[len("secret = "):]
    if secret is not None:
        entries.append((attributes, secret))
    # QtKeychain's libsecret backend stores binary data base64-encoded and says so in an attribute.
    return [(a, base64.b64decode(v).decode() if a.get("type") == "base64" else v) for a, v in entries]


class CliSignIn(unittest.TestCase):
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        if not CLI or not os.access(CLI, os.X_OK):
            raise RuntimeError("SR_CLI must name the session-revoker-cli executable")
        if "DBUS_SESSION_BUS_ADDRESS" not in os.environ:
            raise RuntimeError("run this test inside tests/e2e/with-keyring.sh")
        cls.sim = SimProcess("--users", "100").start()
        cls.work = tempfile.TemporaryDirectory(prefix="sr-cli-e2e-")
        cls.outputs: list[bytes] = []

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.stop()
        cls.work.cleanup()

    def run_cli(self, *args: str, browser_action: str = "sign-in", report: str | None = None,
                extra: list[str] | None = None, sim: SimProcess | None = None) -> subprocess.CompletedProcess:
        sim = sim or self.sim
        env = dict(os.environ)
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION",
                     "GNOME_DESKTOP_SESSION_ID", "MATE_DESKTOP_SESSION_ID"):
            env.pop(name, None)
        env.update({
            "BROWSER": BROWSER,
            "SR_BROWSER_ACTION": browser_action,
            "SR_BROWSER_USER": "helpdesk@contoso.test",
            "SR_BROWSER_PASSWORD": "Passw0rd!",
            "SR_BROWSER_REPORT": report or os.path.join(self.work.name, "unused-report.jsonl"),
            "SR_BROWSER_LOG": os.path.join(self.work.name, "browser.log"),
            "QT_LOGGING_RULES": "sr.*.debug=true",  # the most verbose logs must still hold no secret
        })
        if sim.ca_file:
            env["SR_BROWSER_CA_FILE"] = sim.ca_file
        command = [CLI, *args, "--authority", sim.base_url, "--graph", sim.base_url, "--tenant", "contoso.test",
                   "--client-id", "8c3791a0-3f69-437d-9f93-53f516aafdb3", *(extra or [])]
        done = subprocess.run(command, env=env, capture_output=True, timeout=90)
        self.outputs += [done.stdout, done.stderr]
        return done

    def last_report(self, path: str) -> dict:
        # The browser writes its report after the page has loaded, which may be after the CLI already finished.
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if os.path.exists(path) and os.path.getsize(path) > 0:
                with open(path, encoding="utf-8") as f:
                    return json.loads(f.read().strip().splitlines()[-1])
            time.sleep(0.2)
        self.fail(f"the browser wrote no report to {path}")

    def assert_no_secrets_anywhere(self, refresh_token: str) -> None:
        needles = [refresh_token.encode()]
        roots = {os.environ.get(n) for n in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
                                             "XDG_STATE_HOME")} - {None}
        files_seen = 0
        for root in roots:
            for folder, _, files in os.walk(root):
                for name in files:
                    path = os.path.join(folder, name)
                    try:
                        with open(path, "rb") as f:
                            data = f.read()
                    except OSError:
                        continue
                    files_seen += 1
                    for needle in needles:
                        self.assertNotIn(needle, data, f"refresh token found in {path}")
                    self.assertIsNone(JWT.search(data), f"a JWT (access or id token) found in {path}")
        self.assertGreater(files_seen, 0, "the scan found no files at all: wrong folders?")
        for output in self.outputs:
            for needle in needles:
                self.assertNotIn(needle, output)
            self.assertIsNone(JWT.search(output), "a JWT appeared on stdout/stderr")
            self.assertNotIn(b"code=", output.replace(b"code_challenge", b""), "an authorization code was printed")

    def test_1_login_whoami_logout(self) -> None:
        self.assertEqual(keychain_entries(), [], "the keychain should start empty")
        report = os.path.join(self.work.name, "login.jsonl")
        login = self.run_cli("login", report=report)
        self.assertEqual(login.returncode, 0, login.stderr.decode())
        self.assertIn("Signed in as Hal Desmond <helpdesk@contoso.test>", login.stdout.decode())
        self.assertIn("Helpdesk Administrator", login.stdout.decode())
        outcome = self.last_report(report)
        self.assertEqual(outcome["outcome"], "redirected", outcome)
        self.assertIn("close this tab", outcome.get("page_text", ""))

        # The refresh token and the account are in the real keychain, keyed by app, cloud, tenant, client, account.
        entries = keychain_entries()
        self.assertEqual(len(entries), 1, entries)
        attributes, secret = entries[0]
        key = attributes.get("user", "")
        self.assertIn("custom/contoso.test/8c3791a0-3f69-437d-9f93-53f516aafdb3/", key)
        stored = json.loads(secret)
        refresh_token = stored["refresh_token"]
        self.assertTrue(refresh_token)
        self.assertEqual(stored["account"]["username"], "helpdesk@contoso.test")

        # A second process signs in silently from the keychain: no browser.
        silent_report = os.path.join(self.work.name, "whoami.jsonl")
        whoami = self.run_cli("whoami", report=silent_report)
        self.assertEqual(whoami.returncode, 0, whoami.stderr.decode())
        self.assertIn("helpdesk@contoso.test", whoami.stdout.decode())
        self.assertFalse(os.path.exists(silent_report), "whoami must not open a browser")
        # Refresh-token rotation reached the keychain.
        rotated = json.loads(keychain_entries()[0][1])["refresh_token"]
        self.assertNotEqual(rotated, refresh_token)

        self.assert_no_secrets_anywhere(rotated)
        self.assert_no_secrets_anywhere(refresh_token)

        logout = self.run_cli("logout")
        self.assertEqual(logout.returncode, 0, logout.stderr.decode())
        self.assertEqual(keychain_entries(), [])
        after = self.run_cli("whoami")
        self.assertEqual(after.returncode, 3, after.stderr.decode())
        self.assertIn("Not signed in", after.stderr.decode())

    def test_2_cancel_in_browser(self) -> None:
        report = os.path.join(self.work.name, "cancel.jsonl")
        done = self.run_cli("login", browser_action="cancel", report=report)
        self.assertEqual(done.returncode, 4, done.stderr.decode())
        self.assertIn("cancelled or declined", done.stderr.decode())
        self.assertEqual(keychain_entries(), [])

    def test_3_wrong_password_then_timeout(self) -> None:
        # The browser stays on the sign-in page with Entra's error; the app gives up cleanly after its timeout.
        report = os.path.join(self.work.name, "wrong.jsonl")
        done = self.run_cli("login", browser_action="wrong-password", report=report,
                            extra=["--browser-timeout", "20"])
        self.assertEqual(done.returncode, 1, done.stderr.decode())
        self.assertIn("did not return a sign-in in time", done.stderr.decode())
        outcome = self.last_report(report)
        self.assertEqual(outcome["outcome"], "sign-in-error", outcome)
        self.assertIn("password", outcome.get("error_text", "").lower())
        self.assertEqual(keychain_entries(), [])

    def test_4_https_with_ca_file(self) -> None:
        tls_sim = SimProcess("--users", "50", tls=True).start()
        try:
            self.assertTrue(tls_sim.base_url.startswith("https://"))
            # Without the CA the CLI refuses the certificate and says what to do.
            refused = self.run_cli("login", sim=tls_sim)
            self.assertEqual(refused.returncode, 1)
            self.assertIn("CA file", refused.stderr.decode())
            login = self.run_cli("login", sim=tls_sim, extra=["--ca-file", tls_sim.ca_file])
            self.assertEqual(login.returncode, 0, login.stderr.decode())
            self.assertIn("helpdesk@contoso.test", login.stdout.decode())
            logout = self.run_cli("logout", sim=tls_sim, extra=["--ca-file", tls_sim.ca_file])
            self.assertEqual(logout.returncode, 0)
            self.assertEqual(keychain_entries(), [])
        finally:
            tls_sim.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
