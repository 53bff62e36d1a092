"""Identity platform v2.0 against the real tenant-sim process: discovery, JWKS, the sign-in pages driven like a
browser, the token endpoint's grants and errors, and the shape and signature of the tokens."""
from __future__ import annotations

import base64
import hashlib
import json
import unittest
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from browser import REDIRECT_URI, Browser, Page, authorize_path, b64url_decode, jwt_parts, pkce_pair, redirect_params
from simproc import CLIENT_ID, DEFAULT_SCOPE, PASSWORD, TENANT_ID, Reply, SimProcess

HELPDESK = "helpdesk@contoso.test"
HELPDESK_ID = "11111111-1111-4111-8111-000000000001"
NORA = "nora@contoso.test"
LOST = "lost@contoso.test"
LOST_ID = "11111111-1111-4111-8111-000000000005"
DISABLED = "former.employee@contoso.test"
HELPDESK_ROLE = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
DEFAULT_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509"
GRAPH_APP = "00000003-0000-0000-c000-000000000000"
REVOKED_PREFIX = ("AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is "
                  "needed.")
ERROR_FIELDS = {"error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}


class IdentityCase(unittest.TestCase):
    sim: SimProcess
    args: tuple[str, ...] = ("--users", "50")
    tls = False

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = SimProcess(*cls.args, tls=cls.tls).start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sim.close()

    # -- helpers -------------------------------------------------------------------------------------------------
    def token_request(self, fields: dict[str, str], tenant: str = TENANT_ID) -> Reply:
        return self.sim.post_form(f"/{tenant}/oauth2/v2.0/token", fields)

    def assert_entra_error(self, reply: Reply, status: int, error: str, code: int) -> dict:
        self.assertEqual(reply.status, status, reply.text)
        body = reply.json()
        self.assertEqual(set(body), ERROR_FIELDS)
        self.assertEqual(body["error"], error)
        self.assertEqual(body["error_codes"], [code])
        self.assertTrue(body["error_description"].startswith(f"AADSTS{code}: "), body["error_description"])
        for part in (f"Trace ID: {body['trace_id']}", f"Correlation ID: {body['correlation_id']}",
                     f"Timestamp: {body['timestamp']}"):
            self.assertIn(part, body["error_description"])
        self.assertEqual(body["error_uri"], f"https://login.microsoftonline.com/error?code={code}")
        return body

    def sign_in(self, browser: Browser, username: str, **params: str | None) -> tuple[dict[str, str], str]:
        """Interactive sign-in through the page: (redirect parameters, code verifier)."""
        verifier, challenge = pkce_pair()
        page = browser.get(authorize_path(challenge, **params))
        self.assertEqual(page.status, 200, page.text[:500])
        answer = browser.click(page, {"loginfmt": username, "passwd": PASSWORD}, id="idSIButton9")
        return redirect_params(answer), verifier

    def redeem(self, code: str, verifier: str, redirect_uri: str = REDIRECT_URI) -> Reply:
        return self.token_request({"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code,
                                   "redirect_uri": redirect_uri, "code_verifier": verifier,
                                   "scope": DEFAULT_SCOPE})

    def password_grant(self, username: str, password: str = PASSWORD, scope: str = DEFAULT_SCOPE,
                       **extra: str) -> Reply:
        return self.token_request({"grant_type": "password", "client_id": CLIENT_ID, "username": username,
                                   "password": password, "scope": scope, **extra})

    def refresh(self, refresh_token: str, **extra: str) -> Reply:
        return self.token_request({"grant_type": "refresh_token", "client_id": CLIENT_ID,
                                   "refresh_token": refresh_token, **extra})

    def verify_signature(self, token: str) -> None:
        header, _ = jwt_parts(token)
        keys = self.sim.request("GET", f"/{TENANT_ID}/discovery/v2.0/keys").json()["keys"]
        key = next(k for k in keys if k["kid"] == header["kid"])
        numbers = rsa.RSAPublicNumbers(int.from_bytes(b64url_decode(key["e"]), "big"),
                                       int.from_bytes(b64url_decode(key["n"]), "big"))
        signing_input, _, signature = token.rpartition(".")
        numbers.public_key().verify(b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(),
                                    hashes.SHA256())


class DiscoveryTests(IdentityCase):
    def test_discovery_for_each_tenant_form(self) -> None:
        base = self.sim.base_url
        for segment, endpoint_segment, issuer_tid, region in (
                (TENANT_ID, TENANT_ID, TENANT_ID, "NA"), ("contoso.test", TENANT_ID, TENANT_ID, "NA"),
                ("Contoso.Test", TENANT_ID, TENANT_ID, "NA"), ("organizations", "organizations", "{tenantid}", None),
                ("common", "common", "{tenantid}", None)):
            with self.subTest(segment=segment):
                reply = self.sim.request("GET", f"/{segment}/v2.0/.well-known/openid-configuration")
                self.assertEqual(reply.status, 200)
                self.assertTrue(reply.headers["Content-Type"].startswith("application/json"))
                doc = reply.json()
                self.assertEqual(doc["issuer"], f"{base}/{issuer_tid}/v2.0")
                self.assertEqual(doc["authorization_endpoint"], f"{base}/{endpoint_segment}/oauth2/v2.0/authorize")
                self.assertEqual(doc["token_endpoint"], f"{base}/{endpoint_segment}/oauth2/v2.0/token")
                self.assertEqual(doc["end_session_endpoint"], f"{base}/{endpoint_segment}/oauth2/v2.0/logout")
                self.assertEqual(doc["jwks_uri"], f"{base}/{endpoint_segment}/discovery/v2.0/keys")
                self.assertEqual(doc["tenant_region_scope"], region)
                self.assertEqual(doc["msgraph_host"], urlsplit(base).netloc)
                self.assertEqual(doc["id_token_signing_alg_values_supported"], ["RS256"])
                self.assertIn("code", doc["response_types_supported"])
                self.assertEqual(doc["scopes_supported"], ["openid", "profile", "email", "offline_access"])
                for field in ("cloud_instance_name", "response_modes_supported", "subject_types_supported",
                              "claims_supported", "token_endpoint_auth_methods_supported"):
                    self.assertIn(field, doc)
                # Every endpoint it names is served.
                self.assertEqual(self.sim.request("GET", urlsplit(doc["jwks_uri"]).path).status, 200)

    def test_unknown_tenant_is_invalid_tenant(self) -> None:
        reply = self.sim.request("GET", "/fabrikam.test/v2.0/.well-known/openid-configuration",
                                 headers={"client-request-id": "0d1e7c4a-0000-4000-8000-000000000001"})
        body = self.assert_entra_error(reply, 400, "invalid_tenant", 90002)
        self.assertTrue(body["error_description"].startswith("AADSTS90002: Tenant 'fabrikam.test' not found."))
        self.assertEqual(body["correlation_id"], "0d1e7c4a-0000-4000-8000-000000000001")   # echoed, as Entra does

    def test_jwks_publishes_the_signing_key_with_certificate(self) -> None:
        keys = self.sim.request("GET", "/common/discovery/v2.0/keys").json()["keys"]
        self.assertEqual(len(keys), 1)
        key = keys[0]
        self.assertEqual((key["kty"], key["use"]), ("RSA", "sig"))
        self.assertEqual(key["kid"], key["x5t"])
        cert_der = base64.b64decode(key["x5c"][0])
        self.assertEqual(base64.urlsafe_b64encode(hashlib.sha1(cert_der).digest()).rstrip(b"=").decode(), key["x5t"])
        public = x509.load_der_x509_certificate(cert_der).public_key().public_numbers()
        self.assertEqual(public.n, int.from_bytes(b64url_decode(key["n"]), "big"))
        self.assertEqual(public.n.bit_length(), 2048)
        self.assertEqual(key["issuer"], f"{self.sim.base_url}/{{tenantid}}/v2.0")


class SignInPageTests(IdentityCase):
    def test_page_has_entra_element_ids_and_carries_parameters(self) -> None:
        _, challenge = pkce_pair()
        reply = Browser(self.sim).get(authorize_path(challenge, state="keep-me", login_hint=NORA))
        self.assertEqual(reply.status, 200)
        self.assertTrue(reply.headers["Content-Type"].startswith("text/html"))
        page = Page(reply.text)
        self.assertEqual(page.elements["i0116"]["attrs"]["name"], "loginfmt")
        self.assertEqual(page.elements["i0116"]["attrs"]["value"], NORA)         # login_hint pre-fills
        self.assertEqual(page.elements["i0118"]["attrs"]["name"], "passwd")
        self.assertEqual(page.elements["i0118"]["attrs"]["type"], "password")
        self.assertIn("idSIButton9", page.elements)
        self.assertIn("idBtn_Back", page.elements)
        form = page.forms[0]
        self.assertEqual(form["action"], f"/{TENANT_ID}/oauth2/v2.0/authorize")
        self.assertEqual(form["fields"]["state"], "keep-me")
        self.assertEqual(form["fields"]["code_challenge"], challenge)
        self.assertNotIn("usernameError", page.elements)
        self.assertNotIn("passwordError", page.elements)

    def test_sign_in_and_code_exchange(self) -> None:
        browser = Browser(self.sim)
        answer, verifier = self.sign_in(browser, HELPDESK, state="s1", nonce="n1")
        self.assertEqual(answer["state"], "s1")
        self.assertIn("session_state", answer)
        code = answer["code"]
        self.assertGreater(len(code), 500)
        for char in ".-_":
            self.assertIn(char, code)
        self.assertEqual(json.loads(b64url_decode(answer["client_info"])), {"uid": HELPDESK_ID, "utid": TENANT_ID})
        cookie = next(line for line in browser.set_cookie_lines if line.startswith("ESTSAUTH="))
        self.assertIn("HttpOnly", cookie)

        reply = self.redeem(code, verifier)
        self.assertEqual(reply.status, 200, reply.text)
        self.assertEqual(reply.headers["Cache-Control"], "no-store, no-cache")
        tokens = reply.json()
        self.assertEqual(list(tokens), ["token_type", "scope", "expires_in", "ext_expires_in", "access_token",
                                        "refresh_token", "id_token"])
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertEqual(tokens["scope"], "https://graph.microsoft.com/User.Read.All "
                                          "https://graph.microsoft.com/User.RevokeSessions.All "
                                          "openid profile offline_access")
        self.assertGreaterEqual(tokens["expires_in"], 3600)
        self.assertLess(tokens["expires_in"], 5400)
        self.assertEqual(tokens["ext_expires_in"], tokens["expires_in"])

        header, id_claims = jwt_parts(tokens["id_token"])
        self.assertEqual((header["alg"], header["typ"]), ("RS256", "JWT"))
        self.verify_signature(tokens["id_token"])
        self.assertEqual(id_claims["iss"], f"{self.sim.base_url}/{TENANT_ID}/v2.0")
        self.assertEqual(id_claims["aud"], CLIENT_ID)
        self.assertEqual(id_claims["nonce"], "n1")
        self.assertEqual((id_claims["tid"], id_claims["oid"]), (TENANT_ID, HELPDESK_ID))
        self.assertEqual(id_claims["preferred_username"], HELPDESK)
        self.assertEqual(id_claims["ver"], "2.0")
        self.assertEqual(id_claims["exp"] - id_claims["iat"], 3600)
        self.assertEqual(len(id_claims["sub"]), 43)

        _, access = jwt_parts(tokens["access_token"])
        self.verify_signature(tokens["access_token"])
        self.assertEqual(access["aud"], "https://graph.microsoft.com")
        self.assertEqual(access["iss"], f"https://sts.windows.net/{TENANT_ID}/")
        self.assertEqual((access["appid"], access["appidacr"], access["ver"]), (CLIENT_ID, "0", "1.0"))
        self.assertEqual(access["scp"], "User.Read.All User.RevokeSessions.All profile openid")
        self.assertEqual(access["wids"], [HELPDESK_ROLE, DEFAULT_ROLE])
        self.assertEqual((access["upn"], access["unique_name"], access["oid"]), (HELPDESK, HELPDESK, HELPDESK_ID))
        self.assertEqual(access["exp"] - access["iat"], tokens["expires_in"])
        self.assertNotIn("xms_cc", access)

    def test_wrong_password_shows_password_error(self) -> None:
        _, challenge = pkce_pair()
        browser = Browser(self.sim)
        page = browser.get(authorize_path(challenge))
        reply = browser.click(page, {"loginfmt": NORA, "passwd": "wrong"}, id="idSIButton9")
        self.assertEqual(reply.status, 200)
        result = Page(reply.text)
        self.assertTrue(result.text("passwordError").startswith("Your account or password is incorrect."))
        self.assertIn("50126", result.text("debugDetails"))
        self.assertEqual(result.elements["i0116"]["attrs"]["value"], NORA)
        self.assertNotIn("ESTSAUTH", browser.cookies)
        # The page still works: the right password now signs in.
        retry = browser.click(reply, {"passwd": PASSWORD}, id="idSIButton9")
        self.assertIn("code", redirect_params(retry))

    def test_unknown_and_disabled_users_show_entra_messages(self) -> None:
        for username, element, text, code in (
                ("nobody@contoso.test", "usernameError", "This username may be incorrect.", "50034"),
                (DISABLED, "passwordError", "Your account has been locked.", "50057")):
            with self.subTest(username=username):
                _, challenge = pkce_pair()
                browser = Browser(self.sim)
                reply = browser.click(browser.get(authorize_path(challenge)),
                                      {"loginfmt": username, "passwd": PASSWORD}, id="idSIButton9")
                result = Page(reply.text)
                self.assertTrue(result.text(element).startswith(text), result.text(element))
                self.assertIn(code, result.text("debugDetails"))

    def test_cancel_redirects_with_access_denied(self) -> None:
        _, challenge = pkce_pair()
        browser = Browser(self.sim)
        reply = browser.click(browser.get(authorize_path(challenge, state="c1")), id="idBtn_Back")
        answer = redirect_params(reply)
        self.assertEqual(answer["error"], "access_denied")
        self.assertTrue(answer["error_description"].startswith(
            "AADSTS65004: User declined to consent to access the app."))
        self.assertEqual(answer["state"], "c1")
        self.assertNotIn("code", answer)

    def test_account_picker_lists_signed_in_accounts(self) -> None:
        browser = Browser(self.sim)
        self.sign_in(browser, NORA)
        self.sign_in(browser, HELPDESK, prompt="login")
        _, challenge = pkce_pair()
        picker = browser.get(authorize_path(challenge, prompt="select_account"))
        self.assertEqual(picker.status, 200)
        page = Page(picker.text)
        self.assertEqual(page.text("loginHeader"), "Pick an account")
        tiles = [b.get("data-test-id") for b in page.forms[0]["buttons"] if b.get("name") == "sim_account"]
        self.assertEqual(sorted(tiles), sorted([NORA, HELPDESK]))
        self.assertIn(NORA, picker.text)
        self.assertIn("otherTile", page.elements)

        verifier, challenge = pkce_pair()
        picker = browser.get(authorize_path(challenge, prompt="select_account"))
        answer = redirect_params(browser.click(picker, data_test_id=NORA))
        tokens = self.redeem(answer["code"], verifier).json()
        self.assertEqual(jwt_parts(tokens["id_token"])[1]["preferred_username"], NORA)

        other = browser.click(picker, id="otherTile")
        self.assertEqual(Page(other.text).elements["i0116"]["attrs"]["value"], "")

    def test_live_session_signs_in_without_a_page(self) -> None:
        browser = Browser(self.sim)
        first, _ = self.sign_in(browser, NORA)
        _, challenge = pkce_pair()
        answer = redirect_params(browser.get(authorize_path(challenge, state="silent")))
        self.assertEqual(answer["state"], "silent")
        self.assertEqual(answer["session_state"], first["session_state"])
        self.assertNotEqual(answer["code"], first["code"])
        # prompt=login always asks again; logout ends the session.
        self.assertEqual(browser.get(authorize_path(challenge, prompt="login")).status, 200)
        logout = browser.get(f"/{TENANT_ID}/oauth2/v2.0/logout?" + urlencode(
            {"post_logout_redirect_uri": REDIRECT_URI}))
        self.assertEqual((logout.status, logout.headers["Location"]), (302, REDIRECT_URI))
        self.assertNotIn("ESTSAUTH", browser.cookies)
        self.assertEqual(browser.get(authorize_path(challenge)).status, 200)

    def test_prompt_none_without_session_is_login_required(self) -> None:
        _, challenge = pkce_pair()
        answer = redirect_params(Browser(self.sim).get(authorize_path(challenge, prompt="none")))
        self.assertEqual(answer["error"], "login_required")
        self.assertTrue(answer["error_description"].startswith("AADSTS50058: "))

    def test_unknown_client_and_bad_redirect_uri_show_an_error_page(self) -> None:
        _, challenge = pkce_pair()
        for overrides, code in (({"client_id": "0f2b8b2a-1111-4222-8333-444455556666"}, "AADSTS700016"),
                                ({"redirect_uri": "https://evil.example/cb"}, "AADSTS50011"),
                                ({"redirect_uri": "http://[::1]:5000/"}, "AADSTS50011"),
                                ({"redirect_uri": "http://127.0.0.1:5000/callback"}, "AADSTS50011"),
                                ({"redirect_uri": "https://localhost:5000/"}, "AADSTS50011")):
            with self.subTest(overrides=overrides):
                reply = Browser(self.sim).get(authorize_path(challenge, **overrides))
                self.assertEqual(reply.status, 400)
                self.assertIsNone(reply.headers["Location"])
                self.assertIn(code, Page(reply.text).text("errorMessage"))

    def test_loopback_redirect_uris_ignore_the_port(self) -> None:
        for redirect in ("http://localhost", "http://localhost:1234/", "http://127.0.0.1:65535", "http://127.0.0.1/"):
            with self.subTest(redirect=redirect):
                browser = Browser(self.sim)
                verifier, challenge = pkce_pair()
                page = browser.get(authorize_path(challenge, redirect_uri=redirect))
                self.assertEqual(page.status, 200)
                reply = browser.click(page, {"loginfmt": NORA, "passwd": PASSWORD}, id="idSIButton9")
                location = reply.headers["Location"]
                # A redirect URI without a path comes back with a trailing slash, as Entra sends it.
                self.assertTrue(location.startswith(redirect.rstrip("/") + "/?code="), location)
                code = dict(parse_qsl(urlsplit(location).query))["code"]
                self.assertEqual(self.redeem(code, verifier, redirect).status, 200)

    def test_protocol_errors_are_redirected(self) -> None:
        verifier, challenge = pkce_pair()
        for overrides, error, code in (
                ({"code_challenge": None}, "invalid_request", "AADSTS9002325"),
                ({"code_challenge_method": "plain"}, "invalid_request", "AADSTS50149"),
                ({"code_challenge": "short"}, "invalid_request", "AADSTS501491"),
                ({"response_type": "token"}, "unsupported_response_type", "AADSTS700054"),
                ({"scope": None}, "invalid_request", "AADSTS900144"),
                ({"scope": "openid Mail.Read"}, "invalid_scope", "AADSTS70011"),
                ({"scope": "openid https://outlook.office.com/Mail.Read"}, "invalid_resource", "AADSTS500011")):
            with self.subTest(overrides=overrides):
                answer = redirect_params(Browser(self.sim).get(authorize_path(challenge, state="e", **overrides)))
                self.assertEqual(answer["error"], error)
                self.assertTrue(answer["error_description"].startswith(code + ": "), answer["error_description"])
                self.assertEqual(answer["state"], "e")

    def test_form_post_response_mode(self) -> None:
        browser = Browser(self.sim)
        verifier, challenge = pkce_pair()
        page = browser.get(authorize_path(challenge, response_mode="form_post", state="fp"))
        reply = browser.click(page, {"loginfmt": NORA, "passwd": PASSWORD}, id="idSIButton9")
        self.assertEqual(reply.status, 200)
        form = Page(reply.text).forms[0]
        self.assertEqual(form["action"], REDIRECT_URI)
        self.assertEqual(form["fields"]["state"], "fp")
        self.assertEqual(self.redeem(form["fields"]["code"], verifier).status, 200)

    def test_client_capabilities_reach_the_access_token(self) -> None:
        claims = json.dumps({"access_token": {"xms_cc": {"values": ["cp1"]}}})
        answer, verifier = self.sign_in(Browser(self.sim), HELPDESK, claims=claims)
        tokens = self.redeem(answer["code"], verifier).json()
        self.assertEqual(jwt_parts(tokens["access_token"])[1]["xms_cc"], ["cp1"])
        refreshed = self.refresh(tokens["refresh_token"]).json()
        self.assertEqual(jwt_parts(refreshed["access_token"])[1]["xms_cc"], ["cp1"])


class CodeRedemptionTests(IdentityCase):
    def test_pkce_mismatch(self) -> None:
        answer, _ = self.sign_in(Browser(self.sim), NORA)
        body = self.assert_entra_error(self.redeem(answer["code"], "not-the-verifier-" + "x" * 40), 400,
                                       "invalid_grant", 50148)
        self.assertIn("code_verifier does not match the code_challenge", body["error_description"])

    def test_code_is_single_use(self) -> None:
        answer, verifier = self.sign_in(Browser(self.sim), NORA)
        self.assertEqual(self.redeem(answer["code"], verifier).status, 200)
        self.assert_entra_error(self.redeem(answer["code"], verifier), 400, "invalid_grant", 54005)

    def test_code_expires_on_the_simulator_clock(self) -> None:
        answer, verifier = self.sign_in(Browser(self.sim), NORA)
        self.sim.advance_clock(601)
        self.assert_entra_error(self.redeem(answer["code"], verifier), 400, "invalid_grant", 70008)

    def test_redirect_uri_must_match_the_authorize_request(self) -> None:
        answer, verifier = self.sign_in(Browser(self.sim), NORA)
        self.assert_entra_error(self.redeem(answer["code"], verifier, "http://127.0.0.1:1/"), 400,
                                "invalid_grant", 500112)

    def test_unknown_code(self) -> None:
        self.assert_entra_error(self.redeem("1.AAAA.bogus-code_", "v" * 43), 400, "invalid_grant", 70000)


class TokenEndpointTests(IdentityCase):
    def test_password_grant_and_client_info(self) -> None:
        reply = self.password_grant(HELPDESK, client_info="1")
        self.assertEqual(reply.status, 200, reply.text)
        tokens = reply.json()
        self.assertEqual(json.loads(b64url_decode(tokens["client_info"])), {"uid": HELPDESK_ID, "utid": TENANT_ID})
        self.assertEqual(jwt_parts(tokens["access_token"])[1]["upn"], HELPDESK)

    def test_password_grant_failures(self) -> None:
        for username, password, code in ((NORA, "wrong", 50126), ("nobody@contoso.test", PASSWORD, 50034),
                                         (DISABLED, PASSWORD, 50057)):
            with self.subTest(username=username):
                self.assert_entra_error(self.password_grant(username, password), 400, "invalid_grant", code)

    def test_optional_tokens_follow_the_scopes(self) -> None:
        tokens = self.password_grant(NORA, scope="User.Read").json()
        self.assertNotIn("refresh_token", tokens)
        self.assertNotIn("id_token", tokens)
        self.assertEqual(tokens["scope"], "https://graph.microsoft.com/User.Read")
        tokens = self.password_grant(NORA, scope="openid").json()
        self.assertIn("id_token", tokens)
        self.assertEqual(jwt_parts(tokens["access_token"])[1]["scp"], "User.Read openid")

    def test_graph_scope_prefixes(self) -> None:
        base = self.sim.base_url
        for scope, audience, prefix in (
                ("User.Read.All", GRAPH_APP, "https://graph.microsoft.com/"),
                (f"{GRAPH_APP}/User.Read.All", GRAPH_APP, "https://graph.microsoft.com/"),
                ("https://graph.microsoft.com/user.read.all", "https://graph.microsoft.com",
                 "https://graph.microsoft.com/"),
                (f"{base}/User.Read.All", base, f"{base}/")):
            with self.subTest(scope=scope):
                tokens = self.password_grant(NORA, scope=scope).json()
                claims = jwt_parts(tokens["access_token"])[1]
                self.assertEqual(claims["aud"], audience)
                self.assertEqual(claims["scp"], "User.Read.All")
                self.assertEqual(tokens["scope"], prefix + "User.Read.All")

    def test_scope_errors(self) -> None:
        self.assert_entra_error(self.password_grant(NORA, scope="openid Mail.Read"), 400, "invalid_scope", 70011)
        self.assert_entra_error(self.password_grant(NORA, scope="https://vault.azure.net/user_impersonation"), 400,
                                "invalid_resource", 500011)

    def test_request_errors(self) -> None:
        self.assert_entra_error(self.token_request({"client_id": CLIENT_ID}), 400, "invalid_request", 900144)
        self.assert_entra_error(self.token_request({"grant_type": "password"}), 400, "invalid_request", 900144)
        self.assert_entra_error(self.token_request({"grant_type": "device_code", "client_id": CLIENT_ID}), 400,
                                "unsupported_grant_type", 70003)
        body = self.assert_entra_error(
            self.token_request({"grant_type": "password", "client_id": "0f2b8b2a-1111-4222-8333-444455556666"}),
            400, "unauthorized_client", 700016)
        self.assertIn("Application with identifier '0f2b8b2a-1111-4222-8333-444455556666' was not found",
                      body["error_description"])
        self.assert_entra_error(self.sim.request("GET", f"/{TENANT_ID}/oauth2/v2.0/token"), 400,
                                "invalid_request", 900561)
        json_body = self.sim.request("POST", f"/{TENANT_ID}/oauth2/v2.0/token", json.dumps({"grant_type": "password"}),
                                     {"Content-Type": "application/json"})
        self.assert_entra_error(json_body, 400, "invalid_request", 900144)
        self.assert_entra_error(self.token_request({"grant_type": "password", "client_id": CLIENT_ID},
                                                   tenant="fabrikam.test"), 400, "invalid_tenant", 90002)

    def test_refresh_returns_a_new_refresh_token_and_the_old_one_still_works(self) -> None:
        first = self.password_grant(NORA).json()
        second = self.refresh(first["refresh_token"])
        self.assertEqual(second.status, 200, second.text)
        second_tokens = second.json()
        self.assertNotEqual(second_tokens["refresh_token"], first["refresh_token"])
        self.assertNotEqual(second_tokens["access_token"], first["access_token"])
        self.assertEqual(second_tokens["scope"], first["scope"])
        self.assertIn("id_token", second_tokens)
        self.assertEqual(self.refresh(first["refresh_token"]).status, 200)
        narrower = self.refresh(second_tokens["refresh_token"], scope="https://graph.microsoft.com/User.Read")
        self.assertEqual(jwt_parts(narrower.json()["access_token"])[1]["scp"], "User.Read")
        self.assertIn("refresh_token", narrower.json())

    def test_refresh_token_errors(self) -> None:
        self.assert_entra_error(self.refresh("1.Agarbage"), 400, "invalid_grant", 9002313)
        self.assert_entra_error(self.refresh("not-even-close"), 400, "invalid_grant", 9002313)
        refresh_token = self.password_grant(NORA).json()["refresh_token"]
        self.sim.configure(refresh_token_lifetime=60)
        try:
            self.sim.advance_clock(61)
            body = self.assert_entra_error(self.refresh(refresh_token), 400, "invalid_grant", 700082)
            self.assertIn("The refresh token has expired due to inactivity.", body["error_description"])
        finally:
            self.sim.configure(refresh_token_lifetime=90 * 86400)

    def test_access_token_lifetime_setting(self) -> None:
        self.assertEqual(self.sim.configure(access_token_lifetime=120)["access_token_lifetime"], 120)
        try:
            tokens = self.password_grant(NORA).json()
            self.assertEqual(tokens["expires_in"], 120)
        finally:
            self.sim.configure(access_token_lifetime=None)
        lifetimes = {self.password_grant(NORA, scope="User.Read").json()["expires_in"] for _ in range(5)}
        self.assertTrue(all(3600 <= t < 5400 for t in lifetimes), lifetimes)
        self.assertGreater(len(lifetimes), 1)       # drawn per token, like Entra


class RevocationTests(IdentityCase):
    """Revocation through Graph (part B's revokeSignInSessions) as the helpdesk operator would do it."""

    def test_refresh_fails_after_revocation_but_access_tokens_live_on(self) -> None:
        browser = Browser(self.sim)
        answer, verifier = self.sign_in(browser, LOST)
        lost_tokens = self.redeem(answer["code"], verifier).json()
        operator = self.password_grant(HELPDESK).json()["access_token"]

        reply = self.sim.request("POST", f"/v1.0/users/{LOST_ID}/revokeSignInSessions", b"",
                                 {"Authorization": f"Bearer {operator}", "Content-Type": "application/json"})
        self.assertEqual(reply.status // 100, 2, reply.text)

        body = self.assert_entra_error(self.refresh(lost_tokens["refresh_token"]), 400, "invalid_grant", 50173)
        self.assertTrue(body["error_description"].startswith(REVOKED_PREFIX), body["error_description"])
        # The session cookie is revoked too: no silent sign-in, the page asks again.
        _, challenge = pkce_pair()
        self.assertEqual(browser.get(authorize_path(challenge)).status, 200)
        # An access token already issued keeps working until it expires.
        me = self.sim.request("GET", "/v1.0/me", headers={"Authorization": f"Bearer {lost_tokens['access_token']}"})
        self.assertEqual(me.status, 200, me.text)
        # A fresh sign-in after the revocation gets a working refresh token again.
        fresh = self.password_grant(LOST).json()
        self.assertEqual(self.refresh(fresh["refresh_token"]).status, 200)


class TlsSignInTests(IdentityCase):
    tls = True

    def test_sign_in_over_https(self) -> None:
        self.assertTrue(self.sim.base_url.startswith("https://127.0.0.1:"))
        doc = self.sim.request("GET", "/organizations/v2.0/.well-known/openid-configuration").json()
        self.assertTrue(doc["token_endpoint"].startswith(self.sim.base_url + "/"))
        browser = Browser(self.sim)
        answer, verifier = self.sign_in(browser, NORA)
        cookie = next(line for line in browser.set_cookie_lines if line.startswith("ESTSAUTH="))
        self.assertIn("secure", cookie)
        tokens = self.redeem(answer["code"], verifier).json()
        self.assertEqual(jwt_parts(tokens["id_token"])[1]["iss"], f"{self.sim.base_url}/{TENANT_ID}/v2.0")


if __name__ == "__main__":
    unittest.main()
