"""Microsoft Graph under /v1.0 and /beta: the users collection, one user, /me, revokeSignInSessions,
invalidateAllRefreshTokens (beta) and JSON batching, with Graph's headers, errors, permissions and throttling.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence
from urllib.parse import parse_qsl, quote, unquote

from . import odata
from .directory import Directory, User, iso_seconds
from .httpmsg import Request, Response
from .odata import QueryError
from .throttle import request_cost

if TYPE_CHECKING:
    from .sim import Sim

ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
_DIAGNOSTIC = json.dumps({"ServerInfo": {"DataCenter": "West Europe", "Slice": "E", "Ring": "5",
                                         "ScaleUnit": "002", "RoleInstance": "AM2PEPF00032C64"}},
                         separators=(",", ":"))

# Delegated permissions ("scp") that allow each kind of call.
_READ_ANY = frozenset({"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
                       "Directory.ReadWrite.All", "Directory.AccessAsUser.All"})
_READ_SELF = _READ_ANY | {"User.Read", "User.ReadWrite"}
_REVOKE = frozenset({"User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"})
# With User.ReadBasic.All alone, only the basic profile is readable; other properties come back null.
_BASIC = frozenset({"id", "displayName", "givenName", "surname", "mail", "userPrincipalName"})

_ACTIONS = {"revokesigninsessions": "revokeSignInSessions", "invalidateallrefreshtokens": "invalidateAllRefreshTokens"}
_BETA_ONLY_ACTIONS = frozenset({"invalidateAllRefreshTokens"})
_VERSION = re.compile(r"^/(v1\.0|beta)(?=/|$)", re.IGNORECASE)
_KEYED = re.compile(r"^/users\('((?:[^']|'')*)'\)(?:/(.*))?$", re.IGNORECASE | re.DOTALL)
_COLLECTION_ONLY = ("$filter", "$orderby", "$count", "$skip", "$top", "$search", "$skiptoken")
_KNOWN_OPTIONS = frozenset({"$select", "$expand", "$format", *_COLLECTION_ONLY})
_BATCH_LIMIT = 20
_BATCH_PART_DROP = frozenset({"request-id", "client-request-id", "x-ms-ags-diagnostic", "date"})

MSG_DENIED = "Insufficient privileges to complete the operation."
MSG_NOT_COLLECTION = ("The query specified in the URI is not valid. The requested resource is not a collection. "
                      "Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections.")
MSG_SEARCH_HEADER = ("Request with $search query parameter only works through MSGraph with a special request "
                     "header: 'ConsistencyLevel: eventual'")
MSG_DOLLAR_KEY = ("The request URI is not valid. Since the segment 'users' refers to a collection, this must be the "
                  "last segment in the request URI or it must be followed by an function or action that can be "
                  "bound to it otherwise all intermediate segments must refer to a single resource.")
MSG_METHOD = "Specified HTTP method is not allowed for the request uri."
MSG_CAE = ("Continuous access evaluation resulted in challenge with result: InteractionRequired and code: "
           "TokenIssuedBeforeRevocationTimestamp")


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, list(headers)


def _segment_error(segment: str) -> GraphError:
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def _not_found(key: str) -> GraphError:
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{key}' does not exist or one of its queried reference-property objects are not "
                      "present.")


def _denied() -> GraphError:
    return GraphError(403, "Authorization_RequestDenied", MSG_DENIED)


# -- answers -------------------------------------------------------------------------------------------------------
@dataclass
class _Call:
    """One Graph request's identity: the ids every answer (and every error's innerError) carries."""
    sim: Sim
    request_id: str
    client_request_id: str

    @classmethod
    def start(cls, sim: Sim, request: Request) -> _Call:
        request_id = str(uuid.uuid4())
        return cls(sim, request_id, request.headers.get("client-request-id") or request_id)

    def headers(self, extra: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
        return [("Cache-Control", "no-cache"), ("request-id", self.request_id),
                ("client-request-id", self.client_request_id), ("x-ms-ags-diagnostic", _DIAGNOSTIC), *extra]

    def json(self, status: int, obj: object, extra: Iterable[tuple[str, str]] = ()) -> Response:
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        return Response(status, [("Content-Type", ODATA_JSON), ("OData-Version", "4.0"), *self.headers(extra)], body)

    def empty(self, status: int, extra: Iterable[tuple[str, str]] = ()) -> Response:
        return Response(status, self.headers(extra), b"")

    def error(self, status: int, code: str, message: str, extra: Iterable[tuple[str, str]] = ()) -> Response:
        date = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.sim.clock.now()))
        return self.json(status, {"error": {"code": code, "message": message, "innerError": {
            "date": date, "request-id": self.request_id, "client-request-id": self.client_request_id}}}, extra)


def error_response(sim: Sim, request: Request, status: int, code: str, message: str,
                   headers: Iterable[tuple[str, str]] = ()) -> Response:
    """A Graph error answer (used by the server for injected faults too)."""
    return _Call.start(sim, request).error(status, code, message, headers)


def handle(sim: Sim, request: Request) -> Response:
    call = _Call.start(sim, request)
    match = _VERSION.match(request.path)
    if match is None:
        version = request.path.strip("/").split("/")[0]
        return call.error(400, "BadRequest", f"Invalid version: {version}")
    version = match.group(1).lower()
    rest = request.path[match.end():]
    if rest.strip("/").lower() == "$batch":
        return _batch(call, version, request)
    return _serve(call, version, rest, request)


def _serve(call: _Call, version: str, rest: str, request: Request) -> Response:
    try:
        return _Service(call, version, request).run(rest)
    except GraphError as exc:
        return call.error(exc.status, exc.code, exc.message, exc.headers)
    except QueryError as exc:
        return call.error(exc.status, exc.code, exc.message)


# -- routing ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Route:
    kind: str                   # "collection", "count", "entity" or "action"
    key: str | None = None      # id or UPN as addressed; None for /me
    action: str | None = None


def _route(rest: str, version: str) -> _Route:
    path = rest.rstrip("/") if rest != "/" else rest
    keyed = _KEYED.match(path)
    if keyed:
        key, tail = keyed.group(1).replace("''", "'"), keyed.group(2) or ""
    else:
        segments = path.lstrip("/").split("/")
        head = segments[0].lower()
        if head == "me":
            key, tail = None, "/".join(segments[1:])
        elif head == "users":
            if len(segments) == 1:
                return _Route("collection")
            key, tail = segments[1], "/".join(segments[2:])
            if key.lower() == "$count" and not tail:
                return _Route("count")
            if key.startswith("$"):
                raise GraphError(400, "BadRequest", MSG_DOLLAR_KEY)
        else:
            raise _segment_error(segments[0])
    if not tail:
        return _Route("entity", key)
    segment, _, beyond = tail.partition("/")
    name = segment[len("microsoft.graph."):] if segment.lower().startswith("microsoft.graph.") else segment
    action = _ACTIONS.get(name.lower())
    if action is None or (action in _BETA_ONLY_ACTIONS and version != "beta"):
        raise _segment_error(segment)
    if beyond:
        raise _segment_error(beyond.split("/")[0])
    return _Route("action", key, action)


# -- one request -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Query:
    """The OData options of a GET, checked."""
    select: list[str]
    search: odata.Node | None = None
    search_text: str = ""
    filter: odata.Node | None = None
    filter_text: str = ""
    orderby: tuple[str, bool] | None = None
    top: int | None = None
    count: bool = False
    offset: int = 0


class _Service:
    def __init__(self, call: _Call, version: str, request: Request) -> None:
        self.call, self.sim, self.version, self.request = call, call.sim, version, request
        self.directory: Directory = call.sim.directory

    def run(self, rest: str) -> Response:
        claims = self.authenticate()
        route = _route(rest, self.version)
        method = self.request.method
        if method != ("POST" if route.kind == "action" else "GET"):
            raise GraphError(405, "Request_BadRequest", MSG_METHOD)
        self._challenge_if_revoked(claims)
        query = self._query(route) if method == "GET" else _Query([])
        scopes = frozenset(claims.get("scp", "").split())
        caller_id = str(claims.get("oid", ""))
        self._authorize(route, scopes, caller_id)
        throttle_headers = self._charge(claims, route, query)
        if route.kind == "collection":
            return self.call.json(200, self._list(query, scopes), throttle_headers)
        if route.kind == "count":
            return self._count(throttle_headers)
        user = self._target(route, caller_id)
        if route.kind == "entity":
            return self.call.json(200, self._entity(user, query, scopes), throttle_headers)
        return self._revoke(route, user, caller_id, throttle_headers)

    # -- checks --------------------------------------------------------------------------------------------------
    def authenticate(self) -> dict:
        claims, message = self.sim.tokens.verify_graph_token(self.request.headers.get("authorization"))
        if claims is None:
            raise GraphError(401, "InvalidAuthenticationToken", message or "Access token validation failure.",
                             [("WWW-Authenticate", self._bearer_challenge())])
        return claims

    def _bearer_challenge(self, *extra: str) -> str:
        parts = ['Bearer realm=""', f'authorization_uri="{self.sim.base_url}/common/oauth2/authorize"',
                 f'client_id="{GRAPH_APP_ID}"', *extra]
        return ", ".join(parts)

    def _challenge_if_revoked(self, claims: dict) -> None:
        """Continuous access evaluation: a client that declared "cp1" learns at once that the signed-in user's
        sessions were revoked after its token was issued; other clients keep using the token until it expires."""
        if "cp1" not in (claims.get("xms_cc") or ()):
            return
        user = self.directory.by_id(str(claims.get("oid", "")))
        if user is None or user.revoked_at is None or claims.get("iat", 0) >= int(user.revoked_at):
            return
        wanted = {"access_token": {"nbf": {"essential": True, "value": str(int(user.revoked_at))}}}
        encoded = base64.b64encode(json.dumps(wanted, separators=(",", ":")).encode()).decode()
        raise GraphError(401, "InvalidAuthenticationToken", MSG_CAE, [("WWW-Authenticate", self._bearer_challenge(
            'error="insufficient_claims"', f'claims="{encoded}"'))])

    def _authorize(self, route: _Route, scopes: frozenset[str], caller_id: str) -> None:
        if route.kind == "action":
            allowed = _REVOKE
        elif route.kind == "entity" and (route.key is None or self._is_caller(route.key, caller_id)):
            allowed = _READ_SELF
        else:
            allowed = _READ_ANY
        if not scopes & allowed:
            raise _denied()

    def _is_caller(self, key: str, caller_id: str) -> bool:
        user = self.directory.by_id_or_upn(key)
        return user is not None and user.id == caller_id

    def _charge(self, claims: dict, route: _Route, query: _Query) -> list[tuple[str, str]]:
        write = self.request.method != "GET"
        cost = request_cost(self.request.method, route.kind == "collection", bool(query.select), query.top)
        verdict = self.sim.throttle.charge(str(claims.get("appid", "")), str(claims.get("tid", "")), cost, write,
                                           self.sim.clock.now(), len(self.directory))
        if not verdict.allowed:
            raise GraphError(429, "TooManyRequests", "Too many requests.", verdict.headers)
        return verdict.headers

    def _target(self, route: _Route, caller_id: str) -> User:
        key = caller_id if route.key is None else route.key
        user = self.directory.by_id_or_upn(key)
        if user is None:
            raise _not_found(key)
        return user

    # -- query options -------------------------------------------------------------------------------------------
    def _query(self, route: _Route) -> _Query:
        options = {k.lower(): v for k, v in self.request.query.items() if k.startswith("$")}
        for name in options:
            if name not in _KNOWN_OPTIONS:
                raise QueryError(400, "BadRequest", f"The query parameter '{name}' is not supported.")
        if "$skip" in options:
            raise QueryError(400, "Request_BadRequest", "'$skip' is not supported by the service.")
        if "$expand" in options:
            raise QueryError(400, "Request_UnsupportedQuery", odata.UNSUPPORTED)
        select = odata.parse_select(options["$select"], self.version) if "$select" in options else []
        if route.kind != "collection":
            if any(name in options for name in _COLLECTION_ONLY):
                raise QueryError(400, "BadRequest", MSG_NOT_COLLECTION)
            return _Query(select)
        eventual = self.request.headers.get("consistencylevel", "").strip().lower() == "eventual"
        count = odata.parse_count(options["$count"]) if "$count" in options else False
        search = filter_ = None
        if "$search" in options:
            if not eventual:
                raise QueryError(400, "Request_UnsupportedQuery", MSG_SEARCH_HEADER)
            search = odata.parse_search(options["$search"], self.version)
        if "$filter" in options:
            filter_ = odata.parse_filter(options["$filter"], self.version)
        orderby = odata.parse_orderby(options["$orderby"], self.version) if "$orderby" in options else None
        if orderby and filter_ and not (eventual and count):
            raise QueryError(400, "Request_UnsupportedQuery", odata.UNSUPPORTED)   # an advanced query
        top = odata.parse_top(options["$top"]) if "$top" in options else None
        offset = odata.read_skiptoken(options["$skiptoken"]) if "$skiptoken" in options else 0
        return _Query(select, search, options.get("$search", ""), filter_, options.get("$filter", ""), orderby,
                      top, count and eventual, offset)   # without the header, $count=true is silently ignored

    # -- answers ---------------------------------------------------------------------------------------------------
    def _context(self, select: list[str], entity: bool) -> str:
        projection = f"({','.join(select)})" if select else ""
        return f"{self.sim.base_url}/{self.version}/$metadata#users{projection}{'/$entity' if entity else ''}"

    def _list(self, query: _Query, scopes: frozenset[str]) -> dict:
        users = self.directory.users
        matches = _MATCHES.get(self.directory, query)
        top = query.top or odata.DEFAULT_TOP
        page: list[User] = []
        at = query.offset
        while at < len(matches) and len(page) < top:
            user = users[matches[at]]
            if not user.deleted:
                page.append(user)
            at += 1
        while at < len(matches) and users[matches[at]].deleted:   # no next link to an empty last page
            at += 1
        answer: dict = {"@odata.context": self._context(query.select, False)}
        if query.count and query.offset == 0:   # like Graph, only the first page carries the count
            answer["@odata.count"] = (len(matches) if not self.directory.deleted_count
                                      else sum(1 for p in matches if not users[p].deleted))
        if at < len(matches):
            answer["@odata.nextLink"] = self._next_link(at)
        properties = self._properties(query.select)
        basic_only = _basic_only(scopes)
        answer["value"] = [_project(u, properties, self.directory, basic_only) for u in page]
        return answer

    def _next_link(self, offset: int) -> str:
        kept = [(k, v) for k, v in self.request.query.items() if k.lower() != "$skiptoken"]
        kept.append(("$skiptoken", odata.make_skiptoken(offset)))
        query = "&".join(f"{k}={quote(v, safe=chr(39) + ',():@$')}" for k, v in kept)
        return f"{self.sim.base_url}/{self.version}/users?{query}"

    def _count(self, throttle_headers: list[tuple[str, str]]) -> Response:
        if self.request.headers.get("consistencylevel", "").strip().lower() != "eventual":
            raise GraphError(400, "Request_BadRequest", "$count is not currently supported.")
        body = str(len(self.directory)).encode()
        return Response(200, [("Content-Type", "text/plain;charset=utf-8"), *self.call.headers(throttle_headers)],
                        body)

    def _entity(self, user: User, query: _Query, scopes: frozenset[str]) -> dict:
        answer = {"@odata.context": self._context(query.select, True)}
        answer.update(_project(user, self._properties(query.select), self.directory, _basic_only(scopes)))
        return answer

    def _properties(self, select: list[str]) -> Sequence[str]:
        if select:
            return select
        return odata.V1_DEFAULT if self.version == "v1.0" else odata.BETA_DEFAULT

    def _revoke(self, route: _Route, user: User, caller_id: str, headers: list[tuple[str, str]]) -> Response:
        caller = self.directory.by_id(caller_id)
        if caller is None or not self.directory.may_revoke(caller, user):
            raise _denied()
        # Guests too: their valid-from changes here, but sessions at their home tenant are untouched.
        self.directory.revoke(user, self.sim.clock.now())
        if route.action == "invalidateAllRefreshTokens":
            return self.call.empty(204, headers)
        return self.call.json(200, {"@odata.context": f"{self.sim.base_url}/{self.version}/$metadata#Edm.Boolean",
                                    "value": True}, headers)


def _basic_only(scopes: frozenset[str]) -> bool:
    return not scopes & (_READ_ANY - {"User.ReadBasic.All"})


# -- projection ----------------------------------------------------------------------------------------------------
_VALUES: dict[str, Callable[[User, Directory], object]] = {
    "id": lambda u, d: u.id,
    "displayName": lambda u, d: u.display_name,
    "givenName": lambda u, d: u.given_name,
    "surname": lambda u, d: u.surname,
    "userPrincipalName": lambda u, d: u.user_principal_name,
    "mail": lambda u, d: u.mail,
    "jobTitle": lambda u, d: u.job_title,
    "department": lambda u, d: u.department,
    "officeLocation": lambda u, d: u.office_location,
    "accountEnabled": lambda u, d: u.account_enabled,
    "userType": lambda u, d: u.user_type,
    "businessPhones": lambda u, d: list(u.business_phones),
    "mobilePhone": lambda u, d: u.mobile_phone,
    "preferredLanguage": lambda u, d: u.preferred_language,
    "signInSessionsValidFromDateTime": lambda u, d: d.valid_from(u),
    "refreshTokensValidFromDateTime": lambda u, d: d.valid_from(u),
    "createdDateTime": lambda u, d: iso_seconds(u.created_at),
    "mailNickname": lambda u, d: u.user_principal_name.split("@")[0],
    "creationType": lambda u, d: "Invitation" if u.user_type == "Guest" else None,
    "externalUserState": lambda u, d: "Accepted" if u.user_type == "Guest" else None,
}


def _project(user: User, properties: Sequence[str], directory: Directory, basic_only: bool) -> dict:
    out: dict[str, object] = {}
    for name in properties:
        value = _VALUES.get(name)
        if basic_only and name not in _BASIC:
            out[name] = [] if name in odata.COLLECTIONS else None
        elif value is not None:
            out[name] = value(user, directory)
        else:
            out[name] = [] if name in odata.COLLECTIONS else None
    return out


# -- matching users, cached for paging -----------------------------------------------------------------------------
class _MatchCache:
    """Positions matching a query, in answer order. Paging asks for the same query again and again; the lists are
    computed once per (directory, query) and kept for the most recent queries."""

    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._lists: OrderedDict[tuple, Sequence[int]] = OrderedDict()

    def get(self, directory: Directory, query: _Query) -> Sequence[int]:
        if query.search is None and query.filter is None:
            return directory.ordered(query.orderby[0], query.orderby[1]) if query.orderby \
                else range(len(directory.users))
        key = (id(directory), query.search_text, query.filter_text, query.orderby)
        with self._lock:
            found = self._lists.get(key)
            if found is not None:
                self._lists.move_to_end(key)
                return found
        matches = odata.evaluate(query.search, directory) if query.search else None
        if query.filter is not None and (matches is None or matches):
            filtered = odata.evaluate(query.filter, directory)
            matches = filtered if matches is None else matches & filtered
        assert matches is not None
        ordered = directory.sort(matches, *query.orderby) if query.orderby else sorted(matches)
        with self._lock:
            self._lists[key] = ordered
            if len(self._lists) > self._size:
                self._lists.popitem(last=False)
        return ordered


_MATCHES = _MatchCache()


# -- JSON batching ---------------------------------------------------------------------------------------------------
def _batch(call: _Call, version: str, request: Request) -> Response:
    if request.method != "POST":
        return call.error(405, "Request_BadRequest", MSG_METHOD)
    try:
        _Service(call, version, request).authenticate()   # parts are authenticated again, one by one
        parts = _batch_parts(request.body)
        ordered = _batch_order(parts)
    except GraphError as exc:
        return call.error(exc.status, exc.code, exc.message, exc.headers)
    results: dict[str, dict] = {}
    for part in ordered:
        results[part["id"]] = _batch_part(call, version, request, part, results)
    return call.json(200, {"responses": [results[p["id"]] for p in parts]})


def _batch_parts(body: bytes) -> list[dict]:
    invalid = GraphError(400, "BadRequest", "Invalid batch payload format.")
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        raise invalid from None
    parts = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(parts, list) or not parts:
        raise invalid
    if len(parts) > _BATCH_LIMIT:
        raise GraphError(400, "BadRequest", f"The number of requests in the batch exceeds the limit of {_BATCH_LIMIT}.")
    seen: set[str] = set()
    for part in parts:
        if not isinstance(part, dict) or not all(isinstance(part.get(k), str) and part[k]
                                                 for k in ("id", "method", "url")):
            raise invalid
        if part["id"] in seen:
            raise GraphError(400, "BadRequest", f"Batch request contains duplicate request id '{part['id']}'.")
        seen.add(part["id"])
        headers = part.get("headers", {})
        if not isinstance(headers, dict):
            raise invalid
        has_type = any(k.lower() == "content-type" for k in headers)
        if part["method"].upper() in ("POST", "PATCH", "PUT") and ("body" not in part or not has_type):
            raise GraphError(400, "BadRequest",
                             f"Write request id : {part['id']} does not contain Content-Type header or body.")
    for part in parts:
        depends = part.get("dependsOn", [])
        if not isinstance(depends, list) or any(d not in seen or d == part["id"] for d in depends):
            raise GraphError(400, "BadRequest", f"Request id '{part['id']}' has an invalid dependsOn value.")
    return parts


def _batch_order(parts: list[dict]) -> list[dict]:
    """Request order, each part after the parts it depends on; a dependency cycle is a bad request."""
    by_id = {p["id"]: p for p in parts}
    ordered: list[dict] = []
    state: dict[str, str] = {}

    def visit(part: dict) -> None:
        mark = state.get(part["id"])
        if mark == "done":
            return
        if mark == "visiting":
            raise GraphError(400, "BadRequest", f"Request id '{part['id']}' has a circular dependsOn.")
        state[part["id"]] = "visiting"
        for dep in part.get("dependsOn", []):
            visit(by_id[dep])
        state[part["id"]] = "done"
        ordered.append(part)

    for part in parts:
        visit(part)
    return ordered


def _batch_part(call: _Call, version: str, outer: Request, part: dict, done: dict[str, dict]) -> dict:
    part_id = part["id"]
    failed = [d for d in part.get("dependsOn", []) if not 200 <= done[d]["status"] < 300]
    headers = {str(k).lower(): str(v) for k, v in part.get("headers", {}).items()}
    sub_call = _Call(call.sim, str(uuid.uuid4()), headers.get("client-request-id") or call.client_request_id)
    url: str = part["url"]
    if failed:
        response = sub_call.error(424, "FailedDependency", f"Dependent request '{failed[0]}' failed.")
    elif "://" in url:
        response = sub_call.error(400, "BadRequest", "The request URL in a batch must be relative.")
    else:
        raw_path, _, raw_query = url.partition("?")
        raw_path = f"/{version}/" + raw_path.lstrip("/")
        if "authorization" in outer.headers:
            headers["authorization"] = outer.headers["authorization"]
        body = json.dumps(part["body"]).encode() if "body" in part else b""
        sub = Request(part["method"].upper(), unquote(raw_path), raw_path, dict(parse_qsl(raw_query, True)),
                      raw_query, headers, body, outer.client_ip)
        rest = sub.path[len(version) + 1:]
        response = (sub_call.error(400, "BadRequest", "Resource not found for the segment '$batch'.")
                    if rest.strip("/").lower() == "$batch" else _serve(sub_call, version, rest, sub))
    answer: dict = {"id": part_id, "status": response.status,
                    "headers": {k: v for k, v in response.headers if k.lower() not in _BATCH_PART_DROP}}
    if response.body:
        try:
            answer["body"] = json.loads(response.body)
        except ValueError:   # $count is plain text
            answer["body"] = response.body.decode()
    return answer
