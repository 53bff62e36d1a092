"""End to end: session-revoker-cli search / show / revoke / audit against the real tenant-sim, with the operator
signed in once through the real path (xdg-open -> headless Chromium -> tenant-sim's sign-in page, the refresh token
in a real gnome-keyring). Checks exit codes, the audit file, what the simulator says really happened (valid-from,
the lost phone's refresh token), the terminal confirmation (through a pseudo-terminal), and that no token shows up
anywhere.

Run inside tests/e2e/with-keyring.sh. Environment: SR_CLI, SR_SYSTEM_BROWSER, SR_NODE.
"""
from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tenant-sim", "tests"))
from simproc import CLIENT_ID, TENANT_ID, SimProcess  # noqa: E402  (test helper of the simulator, not app code)

CLI = os.environ.get("SR_CLI", "")
BROWSER = os.environ.get("SR_SYSTEM_BROWSER", os.path.join(HERE, "browser", "system-browser.sh"))
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")
LOST_ID = "11111111-1111-4111-8111-000000000005"
ADMIN_ID = "11111111-1111-4111-8111-000000000003"

# Exit codes (src/cli/ExitCodes.h)
SUCCESS, FAILURE, USAGE, NOT_SIGNED_IN, DENIED, NOT_FOUND, THROTTLED = range(7)


class CliRevoke(unittest.TestCase):
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        if not CLI or not os.access(CLI, os.X_OK):
            raise RuntimeError("SR_CLI must name the session-revoker-cli executable")
        if "DBUS_SESSION_BUS_ADDRESS" not in os.environ:
            raise RuntimeError("run this test inside tests/e2e/with-keyring.sh")
        cls.sim = SimProcess("--users", "200").start()
        cls.work = tempfile.TemporaryDirectory(prefix="sr-cli-revoke-")
        cls.audit = os.path.join(cls.work.name, "audit", "audit.jsonl")
        cls.outputs: list[bytes] = []
        cls.secrets: list[str] = []
        login = cls.run_cli("login")
        if login.returncode != 0:
            raise RuntimeError(f"login failed: {login.stderr.decode()}")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.stop()
        cls.work.cleanup()

    def tearDown(self) -> None:
        self.sim.clear_faults()

    # -- helpers -----------------------------------------------------------------------------------------------
    @classmethod
    def environment(cls) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION",
                     "GNOME_DESKTOP_SESSION_ID", "MATE_DESKTOP_SESSION_ID"):
            env.pop(name, None)
        env.update({
            "BROWSER": BROWSER,
            "SR_BROWSER_ACTION": "sign-in",
            "SR_BROWSER_USER": "helpdesk@contoso.test",
            "SR_BROWSER_PASSWORD": "Passw0rd!",
            "SR_BROWSER_REPORT": os.path.join(cls.work.name, "browser-report.jsonl"),
            "SR_BROWSER_LOG": os.path.join(cls.work.name, "browser.log"),
            "QT_LOGGING_RULES": "sr.*.debug=true",  # the most verbose logs must still hold no secret
        })
        return env

    @classmethod
    def command(cls, *args: str) -> list[str]:
        return [CLI, *args, "--authority", cls.sim.base_url, "--graph", cls.sim.base_url, "--tenant", "contoso.test",
                "--client-id", CLIENT_ID]

    @classmethod
    def run_cli(cls, *args: str) -> subprocess.CompletedProcess:
        # No terminal: stdin is /dev/null, as in a script or CI.
        done = subprocess.run(cls.command(*args), env=cls.environment(), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=120)
        cls.outputs += [done.stdout, done.stderr]
        return done

    def run_on_terminal(self, typed: str, *args: str) -> tuple[int, bytes, bytes]:
        """Runs the CLI with a pseudo-terminal as stdin (isatty() is true) and types `typed` + Enter."""
        master, slave = pty.openpty()
        try:
            process = subprocess.Popen(self.command(*args), env=self.environment(), stdin=slave,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            os.close(slave)
            slave = -1
            os.write(master, typed.encode() + b"\n")  # the line waits in the terminal until the CLI reads it
            out, err = process.communicate(timeout=120)
        finally:
            if slave >= 0:
                os.close(slave)
            os.close(master)
        self.outputs += [out, err]
        return process.returncode, out, err

    def sim_user(self, key: str) -> dict:
        reply = self.sim.request("GET", f"/_sim/users/{key}")
        self.assertEqual(reply.status, 200, reply.text)
        return reply.json()

    def phone_refresh_token(self, upn: str) -> str:
        token = self.sim.password_token(upn, scope="openid profile offline_access User.Read")["refresh_token"]
        self.secrets.append(token)
        return token

    def redeem(self, refresh_token: str):
        return self.sim.post_form(f"/{TENANT_ID}/oauth2/v2.0/token", {
            "grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": refresh_token,
            "scope": "openid offline_access User.Read"})

    def audit_records(self) -> list[dict]:
        done = self.run_cli("audit", "--json", "--audit-file", self.audit)
        self.assertEqual(done.returncode, SUCCESS, done.stderr.decode())
        answer = json.loads(done.stdout)
        self.assertEqual(answer["damagedLines"], 0)
        return answer["records"]

    # -- tests -------------------------------------------------------------------------------------------------
    def test_01_search_json(self) -> None:
        done = self.run_cli("search", "O'Brien", "--json")
        self.assertEqual(done.returncode, SUCCESS, done.stderr.decode())
        answer = json.loads(done.stdout)
        names = {user["displayName"] for user in answer["users"]}
        self.assertIn("Mary O'Brien", names)
        self.assertIn("Seán O'Brien", names)
        for user in answer["users"]:
            self.assertRegex(user["id"], r"^[0-9a-f-]{36}$")
            self.assertIn("userPrincipalName", user)
        # The table form too.
        table = self.run_cli("search", "O'Brien")
        self.assertEqual(table.returncode, SUCCESS, table.stderr.decode())
        self.assertIn("Mary O'Brien", table.stdout.decode())
        nobody = self.run_cli("search", "zzzqqqxxx")
        self.assertEqual(nobody.returncode, SUCCESS)
        self.assertIn("No one matches", nobody.stdout.decode())

    def test_02_show(self) -> None:
        done = self.run_cli("show", "lost@contoso.test")
        self.assertEqual(done.returncode, SUCCESS, done.stderr.decode())
        text = done.stdout.decode()
        for expected in ("Lou Stone", "lost@contoso.test", LOST_ID, "enabled", "Sessions valid from"):
            self.assertIn(expected, text)
        by_id = self.run_cli("show", LOST_ID, "--json")
        self.assertEqual(by_id.returncode, SUCCESS, by_id.stderr.decode())
        user = json.loads(by_id.stdout)
        self.assertEqual(user["userPrincipalName"], "lost@contoso.test")
        self.assertEqual(user["accountEnabled"], True)
        self.assertTrue(user["signInSessionsValidFromDateTime"].endswith("Z"))
        missing = self.run_cli("show", "nobody@contoso.test")
        self.assertEqual(missing.returncode, NOT_FOUND, missing.stderr.decode())

    def test_03_revoke_verifies_and_kills_the_phone_token(self) -> None:
        phone = self.phone_refresh_token("lost@contoso.test")
        done = self.run_cli("revoke", "lost@contoso.test", "--yes", "--reason", "Lost phone",
                            "--audit-file", self.audit)
        self.assertEqual(done.returncode, SUCCESS, done.stderr.decode())
        out = done.stdout.decode()
        # Who it is, before anything is sent.
        for expected in ("Lou Stone", "lost@contoso.test", LOST_ID, "enabled"):
            self.assertIn(expected, out)
        self.assertRegex(out, r"Sessions revoked for Lou Stone at \d\d:\d\d:\d\d · verified \(valid from "
                              r"\d\d:\d\d:\d\d\) · request-id [0-9a-f-]{36}")
        self.assertIsNotNone(self.sim_user(LOST_ID)["revoked_at"])
        refused = self.redeem(phone)
        self.assertEqual(refused.status, 400, refused.text)
        self.assertEqual(refused.json()["error"], "invalid_grant")
        self.assertIn(50173, refused.json()["error_codes"])

    def test_04_revoke_beta_json(self) -> None:
        phone = self.phone_refresh_token("lost@contoso.test")
        done = self.run_cli("revoke", LOST_ID, "--yes", "--json", "--api", "beta", "--reason", "Lost phone (beta)",
                            "--audit-file", self.audit)
        self.assertEqual(done.returncode, SUCCESS, done.stderr.decode())
        answer = json.loads(done.stdout)  # stdout is only the JSON: the confirmation text went to stderr
        self.assertTrue(answer["revoked"])
        self.assertTrue(answer["verified"])
        self.assertEqual(answer["outcome"], "success")
        self.assertEqual(answer["httpStatus"], 204)
        self.assertEqual(answer["api"], "invalidateAllRefreshTokens (beta)")
        self.assertEqual(answer["target"]["id"], LOST_ID)
        self.assertRegex(answer["requestId"], r"^[0-9a-f-]{36}$")
        self.assertGreaterEqual(answer["validFrom"], answer["sentAt"][:19])
        self.assertIn("Lou Stone", done.stderr.decode())
        self.assertEqual(self.redeem(phone).json()["error"], "invalid_grant")

    def test_05_denied_on_an_administrator(self) -> None:
        before = self.sim_user(ADMIN_ID)
        done = self.run_cli("revoke", "admin@contoso.test", "--yes", "--audit-file", self.audit)
        self.assertEqual(done.returncode, DENIED, done.stderr.decode())
        self.assertIn("Sessions not revoked for", done.stderr.decode())
        after = self.sim_user(ADMIN_ID)
        self.assertIsNone(after["revoked_at"])
        self.assertEqual(after["valid_from"], before["valid_from"])

    def test_06_unknown_user_is_not_found(self) -> None:
        done = self.run_cli("revoke", "nobody@contoso.test", "--yes", "--audit-file", self.audit)
        self.assertEqual(done.returncode, NOT_FOUND, done.stderr.decode())

    def test_07_no_terminal_no_yes_refuses(self) -> None:
        before = self.sim_user(LOST_ID)
        done = self.run_cli("revoke", "lost@contoso.test", "--audit-file", self.audit)
        self.assertEqual(done.returncode, USAGE, done.stderr.decode())
        self.assertIn("--yes", done.stderr.decode())
        self.assertEqual(self.sim_user(LOST_ID)["revoked_at"], before["revoked_at"])

    def test_08_terminal_confirmation(self) -> None:
        before = self.sim_user("nora@contoso.test")
        code, out, err = self.run_on_terminal("nobody", "revoke", "nora@contoso.test", "--audit-file", self.audit)
        self.assertEqual(code, DENIED, err.decode())
        self.assertIn("Type nora to confirm:", err.decode())
        self.assertIn("Not confirmed: nothing was sent.", err.decode())
        self.assertEqual(self.sim_user("nora@contoso.test")["revoked_at"], before["revoked_at"])

        code, out, err = self.run_on_terminal("nora", "revoke", "nora@contoso.test", "--reason", "typed",
                                              "--audit-file", self.audit)
        self.assertEqual(code, SUCCESS, err.decode())
        self.assertIn("Sessions revoked for Nora", out.decode())
        self.assertIsNotNone(self.sim_user("nora@contoso.test")["revoked_at"])

    def test_09_throttled(self) -> None:
        before = self.sim_user(LOST_ID)
        self.sim.fault("/revokeSignInSessions$", "429", method="POST", count=-1, retry_after=0)
        done = self.run_cli("revoke", "lost@contoso.test", "--yes", "--audit-file", self.audit)
        self.assertEqual(done.returncode, THROTTLED, done.stderr.decode())
        self.assertIn("retrying in", done.stderr.decode())
        self.assertEqual(self.sim_user(LOST_ID)["valid_from"], before["valid_from"])

    def test_10_audit_has_every_attempt(self) -> None:
        records = self.audit_records()
        by_attempt: dict[str, list[dict]] = {}
        for record in records:
            by_attempt.setdefault(record["attemptId"], []).append(record)
        phases = {tuple(r["phase"] for r in rs): rs for rs in by_attempt.values()}
        self.assertIn(("attempt", "result", "verification"), phases)

        lost_phone = [rs for rs in by_attempt.values() if rs[0]["reason"] == "Lost phone"]
        self.assertEqual(len(lost_phone), 1)
        attempt, result, verification = lost_phone[0]
        self.assertEqual(attempt["outcome"], "pending")
        self.assertEqual(attempt["operatorUpn"], "helpdesk@contoso.test")
        self.assertEqual(attempt["targetId"], LOST_ID)
        self.assertEqual(attempt["api"], "revokeSignInSessions (v1.0)")
        self.assertEqual(result["outcome"], "success")
        self.assertEqual(result["httpStatus"], 200)
        self.assertRegex(result["requestId"], r"^[0-9a-f-]{36}$")
        self.assertRegex(result["clientRequestId"], r"^[0-9a-f-]{36}$")
        self.assertEqual(verification["outcome"], "verified")

        denied = [rs for rs in by_attempt.values() if rs[0]["targetId"] == ADMIN_ID]
        self.assertEqual(len(denied), 1)
        self.assertEqual([r["phase"] for r in denied[0]], ["attempt", "result"])
        self.assertEqual(denied[0][1]["outcome"], "denied")
        self.assertEqual(denied[0][1]["httpStatus"], 403)
        self.assertTrue(denied[0][1]["requestId"])

        throttled = [rs for rs in by_attempt.values() if rs[-1]["outcome"] == "throttled"]
        self.assertEqual(len(throttled), 1)
        self.assertEqual(throttled[0][-1]["httpStatus"], 429)
        # The unknown user and the unconfirmed ones were never attempted.
        self.assertFalse([r for r in records if r["targetUpn"] == "nobody@contoso.test"])
        self.assertEqual(len([rs for rs in by_attempt.values() if rs[0]["targetUpn"] == "nora@contoso.test"]), 1)

        # CSV: a header row and one row per record; the table form lists them too.
        exported = self.run_cli("audit", "--csv", "--audit-file", self.audit)
        self.assertEqual(exported.returncode, SUCCESS, exported.stderr.decode())
        self.assertIn(b"\r\n", exported.stdout)
        rows = list(csv.reader(io.StringIO(exported.stdout.decode("utf-8"), newline="")))
        self.assertEqual(rows[0][:3], ["time", "attemptId", "phase"])
        self.assertEqual(len(rows), len(records) + 1)
        table = self.run_cli("audit", "--audit-file", self.audit)
        self.assertEqual(table.returncode, SUCCESS, table.stderr.decode())
        self.assertIn("Lou Stone <lost@contoso.test>", table.stdout.decode())
        with open(self.audit, "rb") as f:
            raw = f.read()
        self.assertIsNone(JWT.search(raw), "a token in the audit file")

    def test_11_no_secrets_printed(self) -> None:
        self.assertTrue(self.outputs)
        for output in self.outputs:
            self.assertIsNone(JWT.search(output), "a JWT appeared on stdout/stderr")
            for secret in self.secrets:
                self.assertNotIn(secret.encode(), output)

    def test_12_not_signed_in(self) -> None:
        logout = self.run_cli("logout")
        self.assertEqual(logout.returncode, SUCCESS, logout.stderr.decode())
        for args in (("search", "ann"), ("show", "lost@contoso.test"), ("revoke", "lost@contoso.test", "--yes")):
            done = self.run_cli(*args, "--audit-file", self.audit)
            self.assertEqual(done.returncode, NOT_SIGNED_IN, done.stderr.decode())
            self.assertIn("Not signed in. Run: session-revoker-cli login", done.stderr.decode())
        # The audit log needs no sign-in.
        self.assertEqual(self.run_cli("audit", "--audit-file", self.audit).returncode, SUCCESS)


if __name__ == "__main__":
    unittest.main(verbosity=2)
