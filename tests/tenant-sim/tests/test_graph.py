"""Microsoft Graph over real HTTP against the real tenant-sim executable: queries, paging, addressing, revocation,
roles, permissions, tokens, errors, JSON batching and throttling. One simulator per test class."""
from __future__ import annotations

import base64
import calendar
import json
import re
import time
import unicodedata
import unittest
from urllib.parse import quote, urlsplit

from simproc import CLIENT_ID, DEFAULT_SCOPE, TENANT_ID, Reply, SimProcess

ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
V1_DEFAULT = {"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
              "preferredLanguage", "surname", "userPrincipalName", "id"}
EVENTUAL = {"ConsistencyLevel": "eventual"}
HELPDESK, USERADMIN, ADMIN, NORA, LOST = (f"{n}@contoso.test" for n in ("helpdesk", "useradmin", "admin", "nora",
                                                                         "lost"))
LOST_ID = "11111111-1111-4111-8111-000000000005"
READ_ONLY_SCOPE = "openid profile https://graph.microsoft.com/User.Read.All"


def query(**options: str) -> str:
    """'?$search=...&$top=...' with values percent-encoded as a client does (keys are given without the '$')."""
    return "?" + "&".join(f"${k}={quote(v, safe='')}" for k, v in options.items())


def epoch(iso: str) -> int:
    """Epoch seconds of "2026-11-25T13:02:11Z" (fractions, if any, dropped)."""
    return calendar.timegm(time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S"))


def accentless(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def search_clause(prop: str, text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{prop}:{escaped}"'


class GraphCase(unittest.TestCase):
    SIM_ARGS: tuple[str, ...] = ("--users", "300")
    sim: SimProcess

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = SimProcess(*cls.SIM_ARGS).start()
        cls.addClassCleanup(cls.sim.close)
        cls.tokens: dict[tuple[str, str], str] = {}

    @classmethod
    def token(cls, upn: str = HELPDESK, scope: str = DEFAULT_SCOPE) -> str:
        key = (upn, scope)
        if key not in cls.tokens:
            cls.tokens[key] = cls.sim.password_token(upn, scope=scope)["access_token"]
        return cls.tokens[key]

    def call(self, method: str, path: str, token: str | None = "", headers: dict[str, str] | None = None,
             body: object = None) -> Reply:
        """token "" means the helpdesk operator's; None sends no Authorization header."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token or self.token()}"
        data = None
        if body is not None:
            data = json.dumps(body)
            all_headers.setdefault("Content-Type", "application/json")
        return self.sim.request(method, path, data, all_headers)

    def get(self, path: str, token: str | None = "", headers: dict[str, str] | None = None) -> Reply:
        return self.call("GET", path, token, headers)

    def ok(self, path: str, headers: dict[str, str] | None = None, token: str | None = "") -> dict:
        reply = self.get(path, token, headers)
        self.assertEqual(reply.status, 200, reply.text)
        return reply.json()

    def search(self, *clauses: str, joiner: str = " OR ", **options: str) -> list[dict]:
        body = self.ok("/v1.0/users" + query(search=joiner.join(clauses), **options), EVENTUAL)
        return body["value"]

    def assert_error(self, reply: Reply, status: int, code: str, message: str | None = None) -> dict:
        self.assertEqual(reply.status, status, reply.text)
        self.assertEqual(reply.headers["Content-Type"], ODATA_JSON)
        error = reply.json()["error"]
        self.assertEqual(error["code"], code, reply.text)
        if message is not None:
            self.assertEqual(error["message"], message)
        inner = error["innerError"]
        self.assertEqual(set(inner), {"date", "request-id", "client-request-id"})
        self.assertEqual(inner["request-id"], reply.headers["request-id"])
        self.assertEqual(inner["client-request-id"], reply.headers["client-request-id"])
        return error


class QueryTests(GraphCase):
    SIM_ARGS = ("--users", "2000", "--seed", "1")

    def test_default_properties_v1(self) -> None:
        body = self.ok("/v1.0/users" + query(top="5"))
        self.assertEqual(body["@odata.context"], f"{self.sim.base_url}/v1.0/$metadata#users")
        self.assertEqual(len(body["value"]), 5)
        for user in body["value"]:
            self.assertEqual(set(user), V1_DEFAULT)
            self.assertRegex(user["id"], GUID)

    def test_select_returns_exactly_the_selected_properties(self) -> None:
        body = self.ok("/v1.0/users" + query(select="id,accountEnabled,department,userType,"
                                                    "signInSessionsValidFromDateTime", top="50"))
        self.assertEqual(body["@odata.context"], f"{self.sim.base_url}/v1.0/$metadata#users(id,accountEnabled,"
                                                 "department,userType,signInSessionsValidFromDateTime)")
        for user in body["value"]:
            self.assertEqual(list(user), ["id", "accountEnabled", "department", "userType",
                                          "signInSessionsValidFromDateTime"])
            self.assertIsInstance(user["accountEnabled"], bool)
            self.assertRegex(user["signInSessionsValidFromDateTime"], ISO_SECONDS)
        self.assertNotIn("accountEnabled", self.ok(f"/v1.0/users/{LOST}"))

    def test_select_errors(self) -> None:
        self.assert_error(self.get("/v1.0/users" + query(select="displayName,nickname")), 400, "Request_BadRequest",
                          "Parsing OData Select and Expand failed: Could not find a property named 'nickname' on "
                          "type 'microsoft.graph.user'.")
        self.assert_error(self.get(f"/v1.0/users/{LOST}" + query(select="refreshTokensValidFromDateTime")), 400,
                          "Request_BadRequest",
                          "Parsing OData Select and Expand failed: Could not find a property named "
                          "'refreshTokensValidFromDateTime' on type 'microsoft.graph.user'.")

    def test_beta_properties(self) -> None:
        user = self.ok(f"/beta/users/{LOST}" + query(select="refreshTokensValidFromDateTime,"
                                                            "signInSessionsValidFromDateTime"))
        self.assertEqual(user["@odata.context"],
                         f"{self.sim.base_url}/beta/$metadata#users(refreshTokensValidFromDateTime,"
                         "signInSessionsValidFromDateTime)/$entity")
        self.assertRegex(user["refreshTokensValidFromDateTime"], ISO_SECONDS)
        self.assertEqual(user["refreshTokensValidFromDateTime"], user["signInSessionsValidFromDateTime"])
        full = self.ok(f"/beta/users/{LOST}")
        self.assertTrue({"accountEnabled", "refreshTokensValidFromDateTime", "userType"} <= set(full))

    def test_search_needs_consistency_level(self) -> None:
        reply = self.get("/v1.0/users" + query(search='"displayName:john"'))
        self.assert_error(reply, 400, "Request_UnsupportedQuery",
                          "Request with $search query parameter only works through MSGraph with a special request "
                          "header: 'ConsistencyLevel: eventual'")

    def test_search_display_name_is_tokenized_word_prefix(self) -> None:
        names = {u["displayName"] for u in self.search('"displayName:smi"', top="999")}
        self.assertIn("John Smith", names)
        self.assertIn("Emma Smith-Jones", names)
        both = self.search('"displayName:smith joh"', top="999", select="displayName")
        self.assertGreaterEqual(len(both), 3)
        self.assertTrue(all("Smith" in u["displayName"] and "Jo" in u["displayName"] for u in both))
        self.assertIn("Emma Smith-Jones", {u["displayName"] for u in self.search('"displayName:smithjones"')})
        self.assertEqual(self.search('"displayName:mith"'), [])     # not "contains"

    def test_search_is_case_and_accent_insensitive(self) -> None:
        for text in ("zoë", "ZOE", "ångström", "Angstr"):
            self.assertIn("Zoë Ångström", {u["displayName"] for u in self.search(search_clause("displayName", text))},
                          text)
        self.assertIn("José Núñez", {u["displayName"] for u in self.search('"displayName:jose nunez"')})

    def test_search_other_properties_are_starts_with(self) -> None:
        upns = {u["userPrincipalName"] for u in self.search('"userPrincipalName:john.smith"', top="999")}
        self.assertTrue({"john.smith@contoso.test", "john.smith2@contoso.test"} <= upns)
        self.assertNotIn("jsmith@contoso.test", upns)
        self.assertEqual(self.search('"userPrincipalName:smith"'), [])
        guests = self.search('"mail:ann@fab"', select="userPrincipalName,mail")
        self.assertEqual(guests, [{"userPrincipalName": "ann_fabrikam.com#EXT#@contoso.test",
                                   "mail": "ann@fabrikam.com"}])

    def test_search_or_and_parentheses(self) -> None:
        either = {u["userPrincipalName"] for u in self.search('"displayName:Lou"', '"mail:nora@"', top="999")}
        self.assertTrue({LOST, NORA} <= either)
        both = self.search('"displayName:Lou"', '"userPrincipalName:lost"', joiner=" AND ", select="id")
        self.assertEqual(both, [{"id": LOST_ID}])
        grouped = self.search('"displayName:Stone" AND ("mail:nobody" OR "mail:lost")', select="id")
        self.assertEqual(grouped, [{"id": LOST_ID}])

    def test_search_escaping(self) -> None:
        names = {u["displayName"] for u in self.search(search_clause("displayName", "O'Brien"), top="999")}
        self.assertIn("Seán O'Brien", names)
        self.assertIn("Mary O'Brien", names)
        self.assertEqual([u["displayName"] for u in self.search(search_clause("displayName", 'Bob "The Builder'))],
                         ['Bob "The Builder" Quinn'])
        self.assertEqual([u["displayName"] for u in self.search(search_clause("displayName", "Back\\Slash"))],
                         ["Back\\Slash Tester"])
        upn = self.search(search_clause("userPrincipalName", "sean.o'b"), select="userPrincipalName")
        self.assertEqual(upn, [{"userPrincipalName": "sean.o'brien@contoso.test"}])

    def test_search_non_latin(self) -> None:
        cases = {"Γιώργος": "Γιώργος Παπαδόπουλος", "Дмитрий Ив": "Дмитрий Иванов", "佐藤": "佐藤 花子",
                 "花子": "佐藤 花子", "王": "王伟", "محمد": "محمد العلي"}
        for text, expected in cases.items():
            found = self.search(search_clause("displayName", text), top="999", select="displayName,userPrincipalName")
            self.assertIn(expected, {u["displayName"] for u in found}, text)
            self.assertTrue(all(u["userPrincipalName"].isascii() for u in found))

    def test_search_syntax_errors(self) -> None:
        def bad(text: str) -> Reply:
            return self.get("/v1.0/users" + query(search=text), headers=EVENTUAL)

        self.assert_error(bad("displayName:john"), 400, "BadRequest",
                          "Syntax error: character ':' is not valid at position 11 in 'displayName:john'.")
        self.assert_error(bad('"displayName:john'), 400, "BadRequest")
        self.assert_error(bad('"displayName:john" OR'), 400, "BadRequest")
        self.assert_error(bad('"nickname:john"'), 400, "Request_BadRequest")
        self.assert_error(bad('"john"'), 400, "Request_UnsupportedQuery")

    def test_filter(self) -> None:
        def users(expression: str, **more: str) -> list[dict]:
            return self.ok("/v1.0/users" + query(filter=expression, top="999", **more))["value"]

        self.assertEqual([u["id"] for u in users(f"userPrincipalName eq '{LOST}'")], [LOST_ID])
        self.assertEqual(users("id eq '11111111-1111-4111-8111-000000000004'")[0]["userPrincipalName"], NORA)
        names = {u["displayName"] for u in users("startswith(surname,'O''Brien')")}
        self.assertTrue({"Seán O'Brien", "Mary O'Brien"} <= names)
        self.assertEqual({u["displayName"] for u in users("startswith(displayName,'Mary O''B')")}, {"Mary O'Brien"})
        disabled = users("accountEnabled eq false", select="accountEnabled,userPrincipalName")
        self.assertTrue(disabled and all(u["accountEnabled"] is False for u in disabled))
        self.assertIn("former.employee@contoso.test", {u["userPrincipalName"] for u in disabled})
        guests = users("userType eq 'Guest' and startswith(mail,'ann@')", select="userType,mail")
        self.assertEqual(guests, [{"userType": "Guest", "mail": "ann@fabrikam.com"}])
        either = users(f"userPrincipalName eq '{NORA}' or userPrincipalName eq '{LOST}'", select="userPrincipalName")
        self.assertEqual({u["userPrincipalName"] for u in either}, {NORA, LOST})
        self.assertEqual(len(users(f"userPrincipalName in ('{NORA}', '{LOST}')")), 2)

    def test_filter_errors(self) -> None:
        def bad(expression: str) -> Reply:
            return self.get("/v1.0/users" + query(filter=expression))

        self.assert_error(bad("endswith(mail,'@fabrikam.com')"), 400, "Request_UnsupportedQuery", "Unsupported Query.")
        self.assert_error(bad("displayName ne 'x'"), 400, "Request_UnsupportedQuery", "Unsupported Query.")
        self.assert_error(bad("nickname eq 'x'"), 400, "Request_BadRequest",
                          "Could not find a property named 'nickname' on type 'microsoft.graph.user'.")
        self.assert_error(bad("startswith(displayName,'x"), 400, "BadRequest")
        self.assert_error(bad("accountEnabled eq 'yes'"), 400, "BadRequest")

    def test_top_limits(self) -> None:
        self.assertEqual(len(self.ok("/v1.0/users")["value"]), 100)
        self.assertEqual(len(self.ok("/v1.0/users" + query(top="999", select="id"))["value"]), 999)
        self.assertEqual(len(self.ok("/v1.0/users" + query(top="1"))["value"]), 1)
        for top in ("0", "1000"):
            self.assert_error(self.get("/v1.0/users" + query(top=top)), 400, "Request_UnsupportedQuery",
                              f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.")
        self.assert_error(self.get("/v1.0/users" + query(top="ten")), 400, "BadRequest")
        self.assert_error(self.get("/v1.0/users" + query(skip="10")), 400, "Request_BadRequest",
                          "'$skip' is not supported by the service.")
        self.assert_error(self.get(f"/v1.0/users/{LOST}" + query(top="5")), 400, "BadRequest")

    def collect(self, first: str, headers: dict[str, str] | None = None, prefix: str = "/v1.0/") -> tuple[list, dict]:
        """Every page from `first` on, following @odata.nextLink; (users, first page)."""
        page = self.ok(first, headers)
        first_page, users = page, list(page["value"])
        while "@odata.nextLink" in page:
            link = urlsplit(page["@odata.nextLink"])
            self.assertEqual(f"{link.scheme}://{link.netloc}", self.sim.base_url)
            self.assertTrue(link.path.startswith(prefix), link.path)
            self.assertIn("$skiptoken=", link.query)
            page = self.ok(f"{link.path}?{link.query}", headers)
            self.assertNotIn("@odata.count", page)
            users.extend(page["value"])
        return users, first_page

    def test_paging_to_the_end(self) -> None:
        total = self.sim.request("GET", "/_sim/health").json()["users"]
        users, _ = self.collect("/v1.0/users" + query(select="id", top="999"))
        ids = [u["id"] for u in users]
        self.assertEqual(len(ids), total)
        self.assertEqual(len(set(ids)), total)
        beta, _ = self.collect("/beta/users" + query(select="id", top="700"), prefix="/beta/")
        self.assertEqual(sorted(u["id"] for u in beta), sorted(ids))

    def test_paging_a_search_with_count(self) -> None:
        first = "/v1.0/users" + query(search='"displayName:a"', select="id,displayName", top="25", count="true")
        users, first_page = self.collect(first, EVENTUAL)
        self.assertGreater(first_page["@odata.count"], 50)
        self.assertEqual(len(users), first_page["@odata.count"])
        self.assertEqual(len({u["id"] for u in users}), len(users))
        self.assertNotIn("@odata.count", self.ok("/v1.0/users" + query(count="true")))   # header missing: ignored

    def test_skiptoken_is_checked(self) -> None:
        self.assert_error(self.get("/v1.0/users" + query(skiptoken="bogus")), 400, "Request_BadRequest")

    def test_orderby(self) -> None:
        names = [u["displayName"] for u in self.ok("/v1.0/users" + query(orderby="displayName", top="50",
                                                                         select="displayName"))["value"]]
        self.assertEqual(names, sorted(names, key=accentless))
        found = self.search('"displayName:john"', orderby="displayName desc", select="displayName", top="999")
        self.assertEqual([u["displayName"] for u in found],
                         sorted((u["displayName"] for u in found), key=accentless, reverse=True))

    def test_addressing_one_user(self) -> None:
        by_id = self.ok(f"/v1.0/users/{LOST_ID}")
        self.assertEqual(by_id["@odata.context"], f"{self.sim.base_url}/v1.0/$metadata#users/$entity")
        self.assertEqual(by_id["displayName"], "Lou Stone")
        self.assertEqual(self.ok(f"/v1.0/users/{LOST.upper()}")["id"], LOST_ID)
        self.assertEqual(self.ok(f"/v1.0/users('{LOST}')")["id"], LOST_ID)
        self.assertEqual(self.ok("/v1.0/users(%27%24svc-backup%40contoso.test%27)")["displayName"], "Backup Service")
        self.assertEqual(self.ok("/v1.0/users('$svc-backup@contoso.test')")["displayName"], "Backup Service")
        self.assertEqual(self.ok("/v1.0/users('sean.o''brien@contoso.test')")["displayName"], "Seán O'Brien")
        self.assertEqual(self.ok("/v1.0/users/sean.o'brien@contoso.test")["displayName"], "Seán O'Brien")
        guest = self.ok("/v1.0/users/ann_fabrikam.com%23EXT%23@contoso.test" + query(select="mail,userType"))
        self.assertEqual((guest["mail"], guest["userType"]), ("ann@fabrikam.com", "Guest"))
        self.assertEqual(self.ok("/v1.0/users('ann_fabrikam.com%23EXT%23@contoso.test')")["mail"], "ann@fabrikam.com")
        self.assert_error(self.get("/v1.0/users/$svc-backup@contoso.test"), 400, "BadRequest",
                          "The request URI is not valid. Since the segment 'users' refers to a collection, this must "
                          "be the last segment in the request URI or it must be followed by an function or action "
                          "that can be bound to it otherwise all intermediate segments must refer to a single "
                          "resource.")

    def test_me(self) -> None:
        me = self.ok("/v1.0/me" + query(select="id,userPrincipalName"))
        self.assertEqual(me["@odata.context"],
                         f"{self.sim.base_url}/v1.0/$metadata#users(id,userPrincipalName)/$entity")
        self.assertEqual((me["id"], me["userPrincipalName"]), ("11111111-1111-4111-8111-000000000001", HELPDESK))

    def test_not_found(self) -> None:
        self.assert_error(self.get("/v1.0/users/nobody@contoso.test"), 404, "Request_ResourceNotFound",
                          "Resource 'nobody@contoso.test' does not exist or one of its queried reference-property "
                          "objects are not present.")
        self.assert_error(self.get("/v1.0/users/00000000-0000-4000-8000-000000000000"), 404,
                          "Request_ResourceNotFound")

    def test_unknown_segments(self) -> None:
        self.assert_error(self.get("/v1.0/groupz"), 400, "BadRequest", "Resource not found for the segment 'groupz'.")
        self.assert_error(self.get(f"/v1.0/users/{LOST}/photoz"), 400, "BadRequest",
                          "Resource not found for the segment 'photoz'.")
        self.assert_error(self.call("POST", f"/v1.0/users/{LOST}/invalidateAllRefreshTokens", body={}), 400,
                          "BadRequest", "Resource not found for the segment 'invalidateAllRefreshTokens'.")

    def test_wrong_method(self) -> None:
        self.assert_error(self.get(f"/v1.0/users/{LOST}/revokeSignInSessions"), 405, "Request_BadRequest")
        self.assert_error(self.call("DELETE", f"/v1.0/users/{LOST}"), 405, "Request_BadRequest")

    def test_answer_headers(self) -> None:
        reply = self.get(f"/v1.0/users/{LOST}", headers={"client-request-id": "7a4b0d55-1111-4222-8333-944455556666"})
        self.assertEqual(reply.headers["Content-Type"], ODATA_JSON)
        self.assertEqual(reply.headers["client-request-id"], "7a4b0d55-1111-4222-8333-944455556666")
        self.assertRegex(reply.headers["request-id"], GUID)
        self.assertIn("ServerInfo", json.loads(reply.headers["x-ms-ags-diagnostic"]))
        self.assertTrue(reply.headers["Date"].endswith(" GMT"))
        self.assertEqual(reply.headers["x-ms-resource-unit"], "1")
        other = self.get(f"/v1.0/users/{LOST}")
        self.assertNotEqual(other.headers["request-id"], reply.headers["request-id"])
        self.assertEqual(other.headers["client-request-id"], other.headers["request-id"])
        error = self.assert_error(self.get("/v1.0/users/nobody@contoso.test", headers={"client-request-id": "abc"}),
                                  404, "Request_ResourceNotFound")
        self.assertEqual(error["innerError"]["client-request-id"], "abc")
        self.assertRegex(error["innerError"]["date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


class AuthTests(GraphCase):
    SIM_ARGS = ("--users", "60")

    def test_missing_and_garbage_tokens(self) -> None:
        for token, message in ((None, "Access token is empty."), ("garbage", None),
                               ("eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln", None)):
            reply = self.get("/v1.0/users", token)
            self.assert_error(reply, 401, "InvalidAuthenticationToken", message)
            self.assertEqual(reply.headers["WWW-Authenticate"],
                             f'Bearer realm="", authorization_uri="{self.sim.base_url}/common/oauth2/authorize", '
                             'client_id="00000003-0000-0000-c000-000000000000"')

    def test_expired_token(self) -> None:
        token = self.sim.password_token(NORA)["access_token"]
        self.assertEqual(self.get("/v1.0/me", token).status, 200)
        self.sim.advance_clock(2 * 3600)
        self.assert_error(self.get("/v1.0/me", token), 401, "InvalidAuthenticationToken",
                          "Access token has expired or is not yet valid.")
        self.assertEqual(self.get("/v1.0/me", self.sim.password_token(NORA)["access_token"]).status, 200)

    def test_scopes(self) -> None:
        read_only = self.sim.password_token(HELPDESK, scope=READ_ONLY_SCOPE)["access_token"]
        self.assertEqual(self.get(f"/v1.0/users/{LOST}", read_only).status, 200)
        self.assert_error(self.call("POST", f"/v1.0/users/{LOST}/revokeSignInSessions", read_only), 403,
                          "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        self.assert_error(self.call("POST", "/v1.0/me/revokeSignInSessions", read_only), 403,
                          "Authorization_RequestDenied")
        user_read = self.sim.password_token(NORA, scope="openid https://graph.microsoft.com/User.Read")["access_token"]
        self.assertEqual(self.get("/v1.0/me", user_read).status, 200)
        self.assertEqual(self.get("/v1.0/users/nora@contoso.test", user_read).status, 200)
        self.assert_error(self.get("/v1.0/users", user_read), 403, "Authorization_RequestDenied")
        self.assert_error(self.get(f"/v1.0/users/{LOST}", user_read), 403, "Authorization_RequestDenied")
        basic = self.sim.password_token(NORA, scope="https://graph.microsoft.com/User.ReadBasic.All")["access_token"]
        user = self.ok(f"/v1.0/users/{LOST}" + query(select="displayName,accountEnabled"), token=basic)
        self.assertEqual((user["displayName"], user["accountEnabled"]), ("Lou Stone", None))


class RevokeTests(GraphCase):
    def valid_from(self, upn: str, version: str = "v1.0", prop: str = "signInSessionsValidFromDateTime") -> str:
        return self.ok(f"/{version}/users/{upn}" + query(select=prop), token=self.token(ADMIN))[prop]

    def sim_now(self) -> float:
        return epoch(self.sim.call_json("POST", "/_sim/clock", {"advance": 0}).json()["now"])

    def test_revoke_sign_in_sessions(self) -> None:
        before = self.valid_from(LOST)
        self.sim.advance_clock(1.5)
        reply = self.call("POST", f"/v1.0/users/{LOST}/revokeSignInSessions")
        self.assertEqual(reply.status, 200, reply.text)
        self.assertEqual(reply.headers["Content-Type"], ODATA_JSON)
        self.assertEqual(reply.json(), {"@odata.context": f"{self.sim.base_url}/v1.0/$metadata#Edm.Boolean",
                                        "value": True})
        after = self.valid_from(LOST)
        self.assertRegex(after, ISO_SECONDS)
        self.assertGreater(after, before)
        self.assertLessEqual(abs(epoch(after) - self.sim_now()), 2)
        record = self.sim.request("GET", f"/_sim/users/{LOST}").json()
        self.assertEqual(int(record["revoked_at"]), epoch(after))
        self.assertEqual(self.valid_from(LOST, "beta", "refreshTokensValidFromDateTime"), after)

    def test_invalidate_all_refresh_tokens_beta(self) -> None:
        target = "john.smith@contoso.test"
        before = self.valid_from(target, "beta", "refreshTokensValidFromDateTime")
        reply = self.call("POST", f"/beta/users/{target}/invalidateAllRefreshTokens")
        self.assertEqual((reply.status, reply.body), (204, b""))
        after = self.valid_from(target, "beta", "refreshTokensValidFromDateTime")
        self.assertGreater(after, before)
        self.assertEqual(self.valid_from(target), after)
        by_id = self.ok(f"/v1.0/users/{target}", token=self.token(ADMIN))["id"]
        self.assertEqual(self.call("POST", f"/beta/users('{by_id}')/invalidateAllRefreshTokens").status, 204)
        beta_v1_action = self.call("POST", f"/beta/users/{target}/revokeSignInSessions")
        self.assertEqual(beta_v1_action.json()["@odata.context"], f"{self.sim.base_url}/beta/$metadata#Edm.Boolean")

    def test_me_and_namespaced_action(self) -> None:
        nora = self.token(NORA)
        reply = self.call("POST", "/v1.0/me/revokeSignInSessions", nora)
        self.assertEqual(reply.status, 200, reply.text)
        self.assertEqual(self.call("POST", "/beta/me/invalidateAllRefreshTokens", nora).status, 204)
        qualified = self.call("POST", f"/v1.0/users/{LOST_ID}/microsoft.graph.revokeSignInSessions")
        self.assertEqual(qualified.status, 200, qualified.text)

    def test_roles(self) -> None:
        denied = "Insufficient privileges to complete the operation."
        self.assert_error(self.call("POST", f"/v1.0/users/{ADMIN}/revokeSignInSessions"), 403,
                          "Authorization_RequestDenied", denied)
        self.assert_error(self.call("POST", f"/v1.0/users/{USERADMIN}/revokeSignInSessions"), 403,
                          "Authorization_RequestDenied", denied)
        ok = self.call("POST", f"/v1.0/users/{HELPDESK}/revokeSignInSessions", self.token(USERADMIN))
        self.assertEqual(ok.status, 200, ok.text)
        self.assert_error(self.call("POST", f"/v1.0/users/{LOST}/revokeSignInSessions", self.token(NORA)), 403,
                          "Authorization_RequestDenied", denied)
        self.assert_error(self.call("POST", f"/beta/users/{LOST}/invalidateAllRefreshTokens", self.token(NORA)), 403,
                          "Authorization_RequestDenied", denied)
        self.assertEqual(self.call("POST", f"/v1.0/users/{USERADMIN}/revokeSignInSessions",
                                   self.token(ADMIN)).status, 200)

    def test_guest(self) -> None:
        guest = "ann_fabrikam.com%23EXT%23@contoso.test"
        reply = self.call("POST", f"/v1.0/users/{guest}/revokeSignInSessions")
        self.assertEqual(reply.status, 200, reply.text)
        self.assertEqual(reply.json()["value"], True)

    def test_unknown_and_deleted_users(self) -> None:
        self.assert_error(self.call("POST", "/v1.0/users/nobody@contoso.test/revokeSignInSessions"), 404,
                          "Request_ResourceNotFound")
        target = "mary.obrien@contoso.test"
        oid = self.ok(f"/v1.0/users/{target}")["id"]
        self.assertEqual(self.sim.request("DELETE", f"/_sim/users/{target}").status, 204)
        self.assert_error(self.get(f"/v1.0/users/{oid}"), 404, "Request_ResourceNotFound",
                          f"Resource '{oid}' does not exist or one of its queried reference-property objects are not "
                          "present.")
        self.assert_error(self.call("POST", f"/v1.0/users/{target}/revokeSignInSessions"), 404,
                          "Request_ResourceNotFound")
        found = self.ok("/v1.0/users" + query(search='"displayName:Mary O\'Brien"', count="true"), EVENTUAL)
        self.assertNotIn(oid, {u["id"] for u in found["value"]})
        self.assertEqual(found["@odata.count"], len(found["value"]))

    def test_continuous_access_evaluation(self) -> None:
        """A cp1 client's token issued before the revocation is challenged at once; a plain client's is not."""
        target = "reader@contoso.test"
        cp1 = self.sim.password_token(target, claims=json.dumps({"access_token": {"xms_cc": {"values": ["cp1"]}}}))
        plain = self.sim.password_token(target)
        self.sim.advance_clock(5)
        self.assertEqual(self.call("POST", "/v1.0/me/revokeSignInSessions", plain["access_token"]).status, 200)
        self.assertEqual(self.get("/v1.0/me", plain["access_token"]).status, 200)
        reply = self.get("/v1.0/me", cp1["access_token"])
        self.assert_error(reply, 401, "InvalidAuthenticationToken")
        challenge = reply.headers["WWW-Authenticate"]
        self.assertIn('error="insufficient_claims"', challenge)
        claims = json.loads(base64.b64decode(re.search(r'claims="([^"]+)"', challenge)[1]))
        self.assertTrue(claims["access_token"]["nbf"]["essential"])
        record = self.sim.request("GET", f"/_sim/users/{target}").json()
        self.assertEqual(claims["access_token"]["nbf"]["value"], str(int(record["revoked_at"])))


class BatchTests(GraphCase):
    def batch(self, requests: list[dict], version: str = "v1.0", token: str | None = "") -> Reply:
        return self.call("POST", f"/{version}/$batch", token, body={"requests": requests})

    def responses(self, reply: Reply) -> dict[str, dict]:
        self.assertEqual(reply.status, 200, reply.text)
        return {r["id"]: r for r in reply.json()["responses"]}

    def test_parts_have_their_own_status_headers_and_body(self) -> None:
        parts = self.responses(self.batch([
            {"id": "1", "method": "GET", "url": f"/users/{LOST}?$select=displayName"},
            {"id": "2", "method": "GET", "url": "users/nobody@contoso.test"},
            {"id": "3", "method": "POST", "url": f"/users/{LOST}/revokeSignInSessions", "body": {},
             "headers": {"Content-Type": "application/json"}},
            {"id": "4", "method": "GET", "url": "/users?$search=%22displayName:Lou%22&$select=id",
             "headers": {"ConsistencyLevel": "eventual"}},
            {"id": "5", "method": "GET", "url": "/users?$search=%22displayName:Lou%22"},
            {"id": "6", "method": "POST", "url": f"/users/{ADMIN}/revokeSignInSessions", "body": {},
             "headers": {"Content-Type": "application/json"}},
        ]))
        self.assertEqual({k: v["status"] for k, v in parts.items()},
                         {"1": 200, "2": 404, "3": 200, "4": 200, "5": 400, "6": 403})
        self.assertEqual(parts["1"]["body"]["displayName"], "Lou Stone")
        self.assertEqual(parts["1"]["headers"]["Content-Type"], ODATA_JSON)
        self.assertEqual(parts["2"]["body"]["error"]["code"], "Request_ResourceNotFound")
        self.assertEqual(parts["3"]["body"]["value"], True)
        self.assertIn({"id": LOST_ID}, parts["4"]["body"]["value"])
        self.assertEqual(parts["5"]["body"]["error"]["code"], "Request_UnsupportedQuery")
        self.assertEqual(parts["6"]["body"]["error"]["code"], "Authorization_RequestDenied")

    def test_beta_batch_and_no_content_parts(self) -> None:
        parts = self.responses(self.batch([
            {"id": "a", "method": "POST", "url": f"/users/{LOST_ID}/invalidateAllRefreshTokens", "body": {},
             "headers": {"Content-Type": "application/json"}},
            {"id": "b", "method": "GET", "url": f"/users/{LOST_ID}?$select=refreshTokensValidFromDateTime",
             "dependsOn": ["a"]},
        ], version="beta"))
        self.assertEqual((parts["a"]["status"], "body" in parts["a"]), (204, False))
        self.assertRegex(parts["b"]["body"]["refreshTokensValidFromDateTime"], ISO_SECONDS)

    def test_depends_on_a_failed_part(self) -> None:
        parts = self.responses(self.batch([
            {"id": "2", "method": "GET", "url": "/users/x@contoso.test/revokeSignInSessions", "dependsOn": ["1"]},
            {"id": "1", "method": "GET", "url": "/users/nobody@contoso.test"},
        ]))
        self.assertEqual((parts["1"]["status"], parts["2"]["status"]), (404, 424))

    def test_invalid_batches(self) -> None:
        too_many = [{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)]
        self.assert_error(self.batch(too_many), 400, "BadRequest")
        self.assertEqual(self.batch(too_many[:20]).status, 200)
        self.assert_error(self.batch([{"id": "1", "method": "GET", "url": "/me"}] * 2), 400, "BadRequest")
        self.assert_error(self.batch([{"id": "1", "method": "POST", "url": f"/users/{LOST}/revokeSignInSessions"}]),
                          400, "BadRequest", "Write request id : 1 does not contain Content-Type header or body.")
        self.assert_error(self.batch([{"id": "1", "method": "POST", "url": f"/users/{LOST}/revokeSignInSessions",
                                       "body": {}}]),
                          400, "BadRequest", "Write request id : 1 does not contain Content-Type header or body.")
        self.assert_error(self.batch([{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]), 400,
                          "BadRequest")
        self.assert_error(self.call("POST", "/v1.0/$batch", body=["not", "a", "batch"]), 400, "BadRequest")
        self.assert_error(self.batch([{"id": "1", "method": "GET", "url": "/me"}], token=None), 401,
                          "InvalidAuthenticationToken")

    def test_throttled_parts_carry_retry_after(self) -> None:
        self.sim.configure(ru_limit=3, ru_window=300)
        try:
            reply = self.batch([{"id": str(i), "method": "GET", "url": f"/users/{LOST}"} for i in range(5)])
        finally:
            self.sim.configure(ru_limit=None, ru_window=None)
        parts = self.responses(reply)
        self.assertEqual([parts[str(i)]["status"] for i in range(5)], [200, 200, 200, 429, 429])
        for i in ("3", "4"):
            self.assertEqual(parts[i]["headers"]["Retry-After"], "100")
            self.assertEqual(parts[i]["headers"]["x-ms-throttle-information"], "ResourceUnitLimitExceeded")
            self.assertEqual(parts[i]["body"]["error"]["code"], "TooManyRequests")


class ThrottleTests(GraphCase):
    def tearDown(self) -> None:
        self.sim.configure(ru_limit=None, ru_window=None, write_limit=None, write_window=None)

    def test_reads_are_refused_exactly_at_the_limit(self) -> None:
        effective = self.sim.configure(ru_limit=10, ru_window=1000)
        self.assertEqual((effective["ru_limit"], effective["ru_window"]), (10, 1000))
        replies = [self.get(f"/v1.0/users/{LOST}") for _ in range(10)]
        self.assertEqual([r.status for r in replies], [200] * 10)
        self.assertEqual([r.headers.get("x-ms-throttle-limit-percentage") for r in replies],
                         [None] * 8 + ["0.9", "1"])
        refused = self.get(f"/v1.0/users/{LOST}")
        self.assert_error(refused, 429, "TooManyRequests")
        self.assertEqual(refused.headers["Retry-After"], "100")
        self.assertEqual(refused.headers["x-ms-throttle-scope"],
                         f"Tenant_Application/ReadWrite/{CLIENT_ID}/{TENANT_ID}")
        self.assertEqual(refused.headers["x-ms-throttle-information"], "ResourceUnitLimitExceeded")
        self.sim.advance_clock(100)
        self.assertEqual(self.get(f"/v1.0/users/{LOST}").status, 200)

    def test_listing_costs_more(self) -> None:
        self.sim.configure(ru_limit=4, ru_window=1000)
        self.assertEqual(self.get("/v1.0/users").headers["x-ms-resource-unit"], "2")
        self.assertEqual(self.get("/v1.0/users" + query(select="id")).headers["x-ms-resource-unit"], "1")
        self.assertEqual(self.get("/v1.0/users" + query(top="5")).headers["x-ms-resource-unit"], "1")
        refused = self.get("/v1.0/users")
        self.assertEqual(refused.status, 429)
        self.assertEqual(refused.headers["Retry-After"], "500")      # 2 RU at 4 RU per 1000 s

    def test_writes_have_their_own_limit(self) -> None:
        self.sim.configure(write_limit=3, write_window=600)
        for _ in range(3):
            self.assertEqual(self.call("POST", f"/v1.0/users/{LOST}/revokeSignInSessions").status, 200)
        refused = self.call("POST", f"/v1.0/users/{LOST}/revokeSignInSessions")
        self.assert_error(refused, 429, "TooManyRequests")
        self.assertEqual(refused.headers["x-ms-throttle-information"], "WriteLimitExceeded")
        self.assertEqual(refused.headers["x-ms-throttle-scope"], f"Tenant_Application/Write/{CLIENT_ID}/{TENANT_ID}")
        self.assertEqual(refused.headers["Retry-After"], "200")
        self.assertEqual(self.get(f"/v1.0/users/{LOST}").status, 200)


if __name__ == "__main__":
    unittest.main()
