"""Microsoft identity platform v2.0: discovery, JWKS, authorize (sign-in page, account picker), token, logout.

Answers, error codes and their wording follow what Entra really sends; the HTML pages use Entra's element ids
(i0116, i0118, idSIButton9, idBtn_Back, usernameError, passwordError, otherTile) so browser scripts can drive them.
"""
from __future__ import annotations

import datetime
import html
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from .config import DEMO_APP, AppRegistration
from .directory import ACCOUNT_DISABLED, UNKNOWN_USER, User
from .httpmsg import Request, Response, html_response, json_response
from .tokens import GRAPH_APP_ID, GRAPH_URI, CodeGrant, GrantedScopes, RefreshGrant, b64url, pkce_s256

if TYPE_CHECKING:
    from .sim import Sim

CLIENTS: dict[str, AppRegistration] = {DEMO_APP.client_id: DEMO_APP}
GRAPH_PERMISSIONS = ("User.Read", "User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All",
                     "User.RevokeSessions.All", "Directory.Read.All", "Directory.ReadWrite.All")
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
SESSION_COOKIE = "ESTSAUTH"

_PERMISSION_BY_LOWER = {p.lower(): p for p in GRAPH_PERMISSIONS}
_ROUTE = re.compile(r"^/([^/]+)/(v2\.0/\.well-known/openid-configuration|discovery/v2\.0/keys|"
                    r"oauth2/v2\.0/authorize|oauth2/v2\.0/token|oauth2/v2\.0/logout)$")
# Loopback redirect URIs: the port is ignored (RFC 8252); [::1] is not supported by Entra.
_LOOPBACK_REDIRECT = re.compile(r"^http://(?:localhost|127\.0\.0\.1)(?::(\d{1,5}))?(/[^?#]*)?$", re.IGNORECASE)
_FORM_TYPE = "application/x-www-form-urlencoded"
_FORM_FIELDS = frozenset({"loginfmt", "passwd", "sim_action", "sim_account"})   # the page's own fields
_NO_STORE = (("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache"))
_CACHEABLE = (("Cache-Control", "max-age=86400, private"), ("Access-Control-Allow-Origin", "*"))

MSG_CANCELLED = "User declined to consent to access the app."
MSG_BAD_CREDENTIALS = "Error validating credentials due to invalid username or password."
MSG_DISABLED = "The user account is disabled."
MSG_REVOKED = "The provided grant has expired due to it being revoked, a fresh auth token is needed."
MSG_MALFORMED_REQUEST = "Invalid request. Request is malformed or invalid."
MSG_PKCE_MISMATCH = ("The code_verifier does not match the code_challenge supplied in the authorization request "
                     "for PKCE.")

# What the sign-in page shows (Entra's own texts).
UI_UNKNOWN_USER = "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin."
UI_BAD_PASSWORD = "Your account or password is incorrect. If you don't remember your password, reset it now."
UI_DISABLED = "Your account has been locked. Contact your support person to unlock it, then try again."
UI_NO_USERNAME = "Enter a valid email address, phone number, or Skype name."
UI_NO_PASSWORD = "Please enter your password."


@dataclass(frozen=True, slots=True)
class Tenant:
    segment: str            # as endpoint URLs name it: the tenant id, "common" or "organizations"
    tid: str | None         # None for the multi-tenant forms


class EntraError(Exception):
    """An OAuth error: error string, AADSTS number, message (without the "AADSTSnnnnn: " prefix)."""

    def __init__(self, error: str, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error, self.code, self.message, self.status = error, code, message, status


def missing(parameter: str) -> EntraError:
    return EntraError("invalid_request", 900144,
                      f"The request body must contain the following parameter: '{parameter}'.")


# -- errors in Entra's shapes ------------------------------------------------------------------------------------
def _describe(sim: Sim, request: Request, code: int, message: str) -> tuple[str, str, str, str]:
    """(error_description, trace id, correlation id, timestamp): Entra appends the ids to every description."""
    trace = str(uuid.uuid4())
    correlation = request.headers.get("client-request-id") or str(uuid.uuid4())
    stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(sim.clock.now()))
    description = (f"AADSTS{code}: {message}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}"
                   f"\r\nTimestamp: {stamp}")
    return description, trace, correlation, stamp


def error_response(sim: Sim, request: Request, status: int, error: str, code: int, message: str,
                   headers=()) -> Response:
    """A JSON error as the token and discovery endpoints send it."""
    description, trace, correlation, stamp = _describe(sim, request, code, message)
    return json_response(status, {
        "error": error, "error_description": description, "error_codes": [code], "timestamp": stamp,
        "trace_id": trace, "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}"},
        [*_NO_STORE, ("x-ms-request-id", trace), *headers])


def _json_error(sim: Sim, request: Request, e: EntraError) -> Response:
    return error_response(sim, request, e.status, e.error, e.code, e.message)


def _error_page(sim: Sim, request: Request, code: int, message: str) -> Response:
    """Errors before the redirect URI is trusted are shown to the user, never redirected."""
    _, trace, correlation, stamp = _describe(sim, request, code, message)
    body = (f'<p id="errorTitle">Sorry, but we\u2019re having trouble signing you in.</p>'
            f'<p id="errorMessage">AADSTS{code}: {html.escape(message)}</p>'
            f'<div id="debugDetails"><div>Request Id: {trace}</div><div>Correlation Id: {correlation}</div>'
            f'<div>Timestamp: {stamp}</div><div>Message: AADSTS{code}: {html.escape(message)}</div></div>')
    return html_response(400, _page("Sign in to your account", "Sign in", body), _NO_STORE)


def not_found(sim: Sim, request: Request) -> Response:
    return html_response(404, _page("Not found", "Not found", "<p>The page you requested cannot be found.</p>"))


# -- routing -------------------------------------------------------------------------------------------------------
def handle(sim: Sim, request: Request) -> Response:
    match = _ROUTE.match(request.path)
    if match is None:
        return not_found(sim, request)
    segment, endpoint = match.groups()
    tenant = _resolve_tenant(sim, segment)
    if endpoint.endswith("authorize"):
        if tenant is None:
            return _error_page(sim, request, 90002, _tenant_not_found(segment))
        return _authorize(sim, request, tenant)
    if endpoint.endswith("logout"):
        return _logout(sim, request)
    if tenant is None:
        return error_response(sim, request, 400, "invalid_tenant", 90002, _tenant_not_found(segment))
    if endpoint.endswith("token"):
        return _token(sim, request)
    if request.method not in ("GET", "HEAD"):
        return error_response(sim, request, 405, "invalid_request", 900561,
                              f"The endpoint only accepts GET, OPTIONS requests. Received a {request.method} request.")
    if endpoint.endswith("keys"):
        return json_response(200, sim.tokens.jwks(_issuer(sim, tenant)), _CACHEABLE)
    return json_response(200, _discovery(sim, tenant), _CACHEABLE)


def _resolve_tenant(sim: Sim, segment: str) -> Tenant | None:
    lowered = segment.lower()
    directory = sim.directory
    if lowered in (directory.tenant_id, directory.domain):
        return Tenant(directory.tenant_id, directory.tenant_id)
    if lowered in ("common", "organizations"):
        return Tenant(lowered, None)
    return None


def _tenant_not_found(segment: str) -> str:
    return (f"Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are signing into "
            "the correct cloud. Check with your subscription administrator, this may happen if there are no active "
            "subscriptions for the tenant.")


def _issuer(sim: Sim, tenant: Tenant) -> str:
    # The multi-tenant forms publish a template issuer, as Entra does.
    return f"{sim.base_url}/{tenant.tid or '{tenantid}'}/v2.0"


# -- discovery ----------------------------------------------------------------------------------------------------
def _discovery(sim: Sim, tenant: Tenant) -> dict:
    endpoints = f"{sim.base_url}/{tenant.segment}"
    host = urlsplit(sim.base_url).netloc
    return {
        "token_endpoint": f"{endpoints}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{endpoints}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": list(OIDC_SCOPES),
        "issuer": _issuer(sim, tenant),
        "request_uri_parameter_supported": False,
        "authorization_endpoint": f"{endpoints}/oauth2/v2.0/authorize",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{endpoints}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                             "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
                             "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": "NA" if tenant.tid else None,
        "cloud_instance_name": host,
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": host,
        "rbac_url": "https://pas.windows.net",
    }


# -- scopes -------------------------------------------------------------------------------------------------------
def parse_scopes(sim: Sim, raw: str) -> GrantedScopes:
    """Graph permissions may be named with https://graph.microsoft.com/, Graph's app id, the simulator's own base
    URL (a custom cloud's Graph), or no prefix at all (Entra maps bare names to Graph)."""
    graph: list[str] = []
    oidc: set[str] = set()
    prefix, audience = f"{GRAPH_URI}/", GRAPH_APP_ID
    named_resource = False
    for item in raw.split():
        lowered = item.lower()
        if lowered in OIDC_SCOPES:
            oidc.add(lowered)
            continue
        resource, slash, name = item.rpartition("/")
        if slash:
            resource_key = resource.lower().rstrip("/")
            if resource_key == GRAPH_URI:
                item_prefix, item_audience = f"{GRAPH_URI}/", GRAPH_URI
            elif resource_key == GRAPH_APP_ID:
                item_prefix, item_audience = f"{GRAPH_URI}/", GRAPH_APP_ID
            elif resource_key == sim.base_url.lower():
                item_prefix, item_audience = f"{sim.base_url}/", sim.base_url
            else:
                raise EntraError("invalid_resource", 500011, (
                    f"The resource principal named {resource} was not found in the tenant named "
                    f"{sim.directory.display_name}. This can happen if the application has not been installed by the "
                    "administrator of the tenant or consented to by any user in the tenant. You might have sent "
                    "your authentication request to the wrong tenant."))
            if not named_resource:
                prefix, audience, named_resource = item_prefix, item_audience, True
        else:
            name = item
        if name.lower() == ".default":       # every permission the (pre-consented) demo app has
            graph.extend(p for p in GRAPH_PERMISSIONS if p not in graph)
            continue
        permission = _PERMISSION_BY_LOWER.get(name.lower())
        if permission is None:
            raise EntraError("invalid_scope", 70011, (
                "The provided request must include a 'scope' input parameter. The provided value for the input "
                f"parameter 'scope' is not valid. The scope {raw} is not valid."))
        if permission not in graph:
            graph.append(permission)
    if not graph:
        graph.append("User.Read")            # OIDC scopes alone still get a Graph token for User.Read
    return GrantedScopes(tuple(graph), tuple(s for s in OIDC_SCOPES if s in oidc), prefix, audience)


def _client_capabilities(claims: str | None) -> tuple[str, ...] | None:
    """xms_cc values from a `claims` parameter ({"access_token":{"xms_cc":{"values":["cp1"]}}}); None if absent."""
    if not claims:
        return None
    try:
        values = json.loads(claims).get("access_token", {}).get("xms_cc", {}).get("values", [])
    except (ValueError, AttributeError):
        raise EntraError("invalid_request", 9002313, MSG_MALFORMED_REQUEST) from None
    if not isinstance(values, list):
        raise EntraError("invalid_request", 9002313, MSG_MALFORMED_REQUEST)
    return tuple(v for v in values if isinstance(v, str))


# -- authorize ----------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class AuthorizeRequest:
    tenant: Tenant
    params: dict[str, str]          # the OAuth parameters, carried through the page's form
    client: AppRegistration
    redirect_uri: str
    response_mode: str
    scopes: GrantedScopes
    code_challenge: str
    xms_cc: tuple[str, ...]


def redirect_uri_matches(client: AppRegistration, redirect_uri: str) -> bool:
    """Loopback matching as Entra does it for http://localhost: any port, and 127.0.0.1 for localhost."""
    requested = _LOOPBACK_REDIRECT.match(redirect_uri)
    registered = _LOOPBACK_REDIRECT.match(client.redirect_uri)
    if requested is None or registered is None:
        return False
    return (requested[2] or "/") == (registered[2] or "/") and (not requested[1] or int(requested[1]) <= 65535)


def _authorize(sim: Sim, request: Request, tenant: Tenant) -> Response:
    if request.method == "POST":
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    elif request.method in ("GET", "HEAD"):
        form = request.query
    else:
        return _error_page(sim, request, 900561,
                           f"The endpoint only accepts GET, POST requests. Received a {request.method} request.")
    checked = _check_authorize(sim, request, tenant, form)
    if isinstance(checked, Response):
        return checked
    session = _read_session(sim, request)
    if request.method == "POST":
        return _continue_sign_in(sim, request, checked, session, form)
    return _start_sign_in(sim, request, checked, session)


def _check_authorize(sim: Sim, request: Request, tenant: Tenant, form: dict[str, str]) -> AuthorizeRequest | Response:
    params = {k: v for k, v in form.items() if k not in _FORM_FIELDS}
    client_id = params.get("client_id", "")
    if not client_id:
        return _error_page(sim, request, 900144, missing("client_id").message)
    client = CLIENTS.get(client_id.lower())
    if client is None:
        return _error_page(sim, request, 700016, _unknown_client(sim, client_id))
    redirect_uri = params.get("redirect_uri") or client.redirect_uri
    if not redirect_uri_matches(client, redirect_uri):
        return _error_page(sim, request, 50011, (
            f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured "
            f"for the application '{client.client_id}'. Make sure the redirect URI sent in the request matches one "
            "added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to "
            "learn more about how to fix this."))
    response_mode = params.get("response_mode", "query")
    if response_mode not in ("query", "fragment", "form_post"):
        response_mode = "query"
    checked = AuthorizeRequest(tenant, params, client, redirect_uri, response_mode,
                               GrantedScopes((), (), "", ""), "", ())
    try:
        response_type = params.get("response_type")
        if not response_type:
            raise missing("response_type")
        if response_type != "code":
            raise EntraError("unsupported_response_type", 700054,
                             f"response_type '{response_type}' is not enabled for the application.")
        if not params.get("scope", "").strip():
            raise missing("scope")
        checked.scopes = parse_scopes(sim, params["scope"])
        checked.code_challenge = params.get("code_challenge", "")
        if not checked.code_challenge:
            raise EntraError("invalid_request", 9002325,
                             "Proof Key for Code Exchange is required for cross-origin authorization code redemption.")
        if params.get("code_challenge_method") != "S256":
            raise EntraError("invalid_request", 50149, "Invalid Code_Challenge_method parameter.")
        if len(checked.code_challenge) != 43:
            raise EntraError("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
        checked.xms_cc = _client_capabilities(params.get("claims")) or ()
    except EntraError as e:
        return _redirect_error(sim, request, checked, e)
    return checked


def _unknown_client(sim: Sim, client_id: str) -> str:
    return (f"Application with identifier '{client_id}' was not found in the directory "
            f"'{sim.directory.display_name}'. This can happen if the application has not been installed by the "
            "administrator of the tenant or consented to by any user in the tenant. You may have sent your "
            "authentication request to the wrong tenant.")


def _start_sign_in(sim: Sim, request: Request, ar: AuthorizeRequest, session: dict) -> Response:
    """GET: sign in silently from the session cookie where Entra would, else show the picker or the sign-in page."""
    accounts = _session_accounts(sim, session)
    live = [(user, at) for user, at, alive in accounts if alive]
    prompt = ar.params.get("prompt", "")
    hint = ar.params.get("login_hint", "")
    if prompt == "login":
        return _sign_in_page(sim, ar, username=hint)
    if prompt == "select_account":
        return _picker_page(sim, ar, accounts) if accounts else _sign_in_page(sim, ar, username=hint)
    if hint:
        live = [(user, at) for user, at in live if user.user_principal_name.lower() == hint.lower()]
    if prompt == "none":
        if len(live) == 1:
            return _issue_code(sim, request, ar, session, *live[0])
        if live:
            return _redirect_error(sim, request, ar, EntraError("interaction_required", 16000, (
                "Either multiple user identities are available for the current request or selected account is not "
                "supported for the scenario.")))
        return _redirect_error(sim, request, ar, EntraError("login_required", 50058, (
            "A silent sign-in request was sent but no user is signed in.")))
    if len(live) == 1:
        return _issue_code(sim, request, ar, session, *live[0])
    if len(live) > 1:
        return _picker_page(sim, ar, accounts)
    return _sign_in_page(sim, ar, username=hint)


def _continue_sign_in(sim: Sim, request: Request, ar: AuthorizeRequest, session: dict,
                      form: dict[str, str]) -> Response:
    """POST from one of our pages: cancel, pick an account, use another account, or credentials."""
    action = form.get("sim_action", "")
    if action == "cancel":
        return _redirect_error(sim, request, ar, EntraError("access_denied", 65004, MSG_CANCELLED))
    if action == "other":
        return _sign_in_page(sim, ar, username="")
    picked = form.get("sim_account")
    if picked:
        for user, at, alive in _session_accounts(sim, session):
            if alive and user.user_principal_name.lower() == picked.lower():
                return _issue_code(sim, request, ar, session, user, at)
        return _sign_in_page(sim, ar, username=picked)
    login = form.get("loginfmt", "").strip()
    password = form.get("passwd", "")
    if not login:
        return _sign_in_page(sim, ar, username="", username_error=UI_NO_USERNAME)
    if not password:
        return _sign_in_page(sim, ar, username=login, password_error=UI_NO_PASSWORD)
    user, code = sim.directory.authenticate(login, password)
    if user is None:
        if code == UNKNOWN_USER:
            return _sign_in_page(sim, ar, username=login, username_error=UI_UNKNOWN_USER, code=code)
        text = UI_DISABLED if code == ACCOUNT_DISABLED else UI_BAD_PASSWORD
        return _sign_in_page(sim, ar, username=login, password_error=text, code=code)
    return _issue_code(sim, request, ar, session, user, sim.clock.now())


def _issue_code(sim: Sim, request: Request, ar: AuthorizeRequest, session: dict, user: User,
                auth_time: float) -> Response:
    config = sim.config
    grant = CodeGrant(ar.client.client_id, ar.redirect_uri, ar.scopes, ar.params.get("nonce"), ar.code_challenge,
                      user.id, auth_time, ar.xms_cc, sim.clock.now() + config.code_lifetime)
    answer = {"code": sim.tokens.create_code(grant)}
    if ar.params.get("client_info") == "1":
        answer["client_info"] = _client_info(sim, user)
    if "state" in ar.params:
        answer["state"] = ar.params["state"]
    accounts = [entry for entry in session.get("a", []) if entry[0] != user.id]
    session = {"ss": session.get("ss") or str(uuid.uuid4()), "a": [[user.id, auth_time], *accounts]}
    answer["session_state"] = session["ss"]
    return _redirect(ar, answer, [_session_cookie(sim, session)])


def _redirect_error(sim: Sim, request: Request, ar: AuthorizeRequest, e: EntraError) -> Response:
    description = _describe(sim, request, e.code, e.message)[0]
    answer = {"error": e.error, "error_description": description,
              "error_uri": f"https://login.microsoftonline.com/error?code={e.code}"}
    if "state" in ar.params:
        answer["state"] = ar.params["state"]
    return _redirect(ar, answer, [])


def _redirect(ar: AuthorizeRequest, answer: dict[str, str], headers: list[tuple[str, str]]) -> Response:
    target = ar.redirect_uri
    if urlsplit(target).path == "":
        target += "/"                        # Entra returns a path-less redirect URI with a trailing slash
    if ar.response_mode == "form_post":
        fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in answer.items())
        body = (f'<form method="POST" name="hiddenform" action="{html.escape(target)}">{fields}'
                '<noscript><p>Script is disabled. Click Submit to continue.</p>'
                '<input type="submit" value="Submit"></noscript></form>'
                '<script>document.forms[0].submit();</script>')
        return html_response(200, f"<html><head><title>Working...</title></head><body>{body}</body></html>",
                             [*_NO_STORE, *headers])
    separator = "#" if ar.response_mode == "fragment" else ("&" if "?" in target else "?")
    return Response(302, [("Location", target + separator + urlencode(answer)), *_NO_STORE, *headers])


# -- the session cookie -------------------------------------------------------------------------------------------
def _read_session(sim: Sim, request: Request) -> dict:
    for part in request.headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return sim.tokens.unseal(b"session", value) or {}
    return {}


def _session_cookie(sim: Sim, session: dict) -> tuple[str, str]:
    secure = "; secure; SameSite=None" if sim.base_url.startswith("https:") else "; SameSite=Lax"
    return "Set-Cookie", f"{SESSION_COOKIE}={sim.tokens.seal(b'session', session)}; path=/; HttpOnly{secure}"


def _session_accounts(sim: Sim, session: dict) -> list[tuple[User, float, bool]]:
    """(user, sign-in time, still valid) for each account in the cookie. A revocation ends the session too."""
    accounts = []
    for oid, signed_in_at in session.get("a", []):
        user = sim.directory.by_id(oid)
        if user is None:
            continue
        alive = user.account_enabled and (user.revoked_at is None or signed_in_at >= user.revoked_at)
        accounts.append((user, signed_in_at, alive))
    return accounts


# -- pages --------------------------------------------------------------------------------------------------------
_STYLE = ("body{font-family:'Segoe UI',sans-serif;background:#f2f2f2;margin:0}"
          ".box{max-width:440px;margin:60px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}"
          "h1{font-size:24px;font-weight:600;margin:16px 0}input[type=email],input[type=password]{display:block;"
          "width:100%;box-sizing:border-box;margin:12px 0;padding:6px 0;border:0;border-bottom:1px solid #666;"
          "font-size:15px}.alert{color:#e81123;margin:8px 0}.buttons{display:flex;flex-direction:row-reverse;gap:8px;"
          "margin-top:24px}button{padding:6px 24px;font-size:15px}#idSIButton9{background:#0067b8;color:#fff;"
          "border:0}.tile{display:block;width:100%;text-align:left;background:none;border:0;border-bottom:1px "
          "solid #ddd;padding:12px 0;cursor:pointer}.tile small{display:block;color:#666}#debugDetails{color:#666;"
          "font-size:12px;margin-top:24px}")


def _page(title: str, heading: str, content: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
            f'<body><div class="box"><div class="banner">Contoso (demo)</div>'
            f'<h1 id="loginHeader">{html.escape(heading)}</h1>{content}</div></body></html>')


def _form(ar: AuthorizeRequest, content: str) -> str:
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in ar.params.items())
    action = f"/{html.escape(ar.tenant.segment)}/oauth2/v2.0/authorize"
    return f'<form name="f1" id="i0281" method="post" action="{action}" autocomplete="off">{hidden}{content}</form>'


def _sign_in_page(sim: Sim, ar: AuthorizeRequest, username: str, username_error: str = "",
                  password_error: str = "", code: int | None = None) -> Response:
    focus_password = bool(username) and not username_error
    content = (
        f'<div id="appName">to continue to {html.escape(ar.client.display_name)}</div>'
        + (f'<div id="usernameError" class="alert" role="alert">{html.escape(username_error)}</div>'
           if username_error else "")
        + f'<input type="email" name="loginfmt" id="i0116" value="{html.escape(username)}" '
          f'placeholder="Email, phone, or Skype" aria-label="Enter your email, phone, or Skype." '
          f'autocomplete="username"{"" if focus_password else " autofocus"}>'
        + (f'<div id="passwordError" class="alert" role="alert">{html.escape(password_error)}</div>'
           if password_error else "")
        + f'<input type="password" name="passwd" id="i0118" placeholder="Password" aria-label="Enter the password" '
          f'autocomplete="current-password"{" autofocus" if focus_password else ""}>'
        # The submit button comes first, so pressing Enter signs in rather than cancels.
        + '<div class="buttons"><button type="submit" id="idSIButton9" name="sim_action" value="signin">Sign in'
          '</button><button type="submit" id="idBtn_Back" name="sim_action" value="cancel" formnovalidate>Cancel'
          '</button></div>')
    if code is not None:
        content += f'<div id="debugDetails">Error Code: {code}</div>'
    return html_response(200, _page("Sign in to your account", "Sign in", _form(ar, content)), _NO_STORE)


def _picker_page(sim: Sim, ar: AuthorizeRequest, accounts: list[tuple[User, float, bool]]) -> Response:
    tiles = "".join(
        f'<button type="submit" class="tile" role="listitem" name="sim_account" '
        f'value="{html.escape(user.user_principal_name)}" data-test-id="{html.escape(user.user_principal_name)}">'
        f'{html.escape(user.display_name)}<small>{html.escape(user.user_principal_name)}</small>'
        f'<small>{"Signed in" if alive else ""}</small></button>'
        for user, _, alive in accounts)
    content = (f'<div id="tilesHolder" role="list">{tiles}<button type="submit" class="tile" id="otherTile" '
               f'data-test-id="otherTile" name="sim_action" value="other">Use another account</button></div>'
               '<div class="buttons"><button type="submit" id="idBtn_Back" name="sim_action" value="cancel">Cancel'
               '</button></div>')
    return html_response(200, _page("Sign in to your account", "Pick an account", _form(ar, content)), _NO_STORE)


# -- logout -------------------------------------------------------------------------------------------------------
def _logout(sim: Sim, request: Request) -> Response:
    cleared = ("Set-Cookie", f"{SESSION_COOKIE}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly")
    target = request.query.get("post_logout_redirect_uri", "")
    if target and redirect_uri_matches(DEMO_APP, target):
        return Response(302, [("Location", target), *_NO_STORE, cleared])
    return html_response(200, _page("Sign out", "You signed out of your account",
                                    "<p>It\u2019s a good idea to close all browser windows.</p>"),
                         [*_NO_STORE, cleared])


# -- token endpoint -----------------------------------------------------------------------------------------------
def _token(sim: Sim, request: Request) -> Response:
    if request.method != "POST":
        return error_response(sim, request, 400, "invalid_request", 900561,
                              f"The endpoint only accepts POST, OPTIONS requests. Received a {request.method} request.")
    form: dict[str, str] = {}
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == _FORM_TYPE:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        grant_type = form.get("grant_type")
        if not grant_type:
            raise missing("grant_type")
        client_id = form.get("client_id")
        if not client_id:
            raise missing("client_id")
        client = CLIENTS.get(client_id.lower())
        if client is None:
            raise EntraError("unauthorized_client", 700016, _unknown_client(sim, client_id))
        if grant_type == "authorization_code":
            return _redeem_code(sim, request, client, form)
        if grant_type == "refresh_token":
            return _redeem_refresh_token(sim, request, client, form)
        if grant_type == "password":
            return _password(sim, request, client, form)
        raise EntraError("unsupported_grant_type", 70003,
                         f"The app requested an unsupported grant type '{grant_type}'.")
    except EntraError as e:
        return _json_error(sim, request, e)


def _redeem_code(sim: Sim, request: Request, client: AppRegistration, form: dict[str, str]) -> Response:
    code = form.get("code")
    if not code:
        raise missing("code")
    redirect_uri = form.get("redirect_uri")
    if not redirect_uri:
        raise missing("redirect_uri")
    grant, problem = sim.tokens.redeem_code(code)
    if problem == "redeemed":
        raise EntraError("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with "
                                                 "a new valid code or use an existing refresh token.")
    if problem == "expired":
        raise EntraError("invalid_grant", 70008, "The provided authorization code or refresh token has expired due "
                                                 "to inactivity. Send a new interactive authorization request for "
                                                 "this user and resource.")
    if grant is None or grant.client_id != client.client_id:
        raise EntraError("invalid_grant", 70000, "The provided value for the 'code' parameter is not valid.")
    if redirect_uri != grant.redirect_uri:
        raise EntraError("invalid_grant", 500112, f"The reply address '{redirect_uri}' does not match the reply "
                                                  f"address '{grant.redirect_uri}' provided when requesting "
                                                  "Authorization code.")
    if pkce_s256(form.get("code_verifier", "")) != grant.code_challenge:
        raise EntraError("invalid_grant", 50148, MSG_PKCE_MISMATCH)
    user = _signed_in_user(sim, grant.user_id)
    return _tokens(sim, request, client, user, grant.scopes, grant.nonce, grant.auth_time, grant.xms_cc, form,
                   with_refresh="offline_access" in grant.scopes.oidc)


def _redeem_refresh_token(sim: Sim, request: Request, client: AppRegistration, form: dict[str, str]) -> Response:
    token = form.get("refresh_token")
    if not token:
        raise missing("refresh_token")
    grant = sim.tokens.open_refresh_token(token)
    if grant is None:
        raise EntraError("invalid_grant", 9002313, MSG_MALFORMED_REQUEST)
    if grant.client_id != client.client_id:
        raise EntraError("invalid_grant", 70000, "Provided grant is invalid or malformed.")
    user = _signed_in_user(sim, grant.user_id)
    now = sim.clock.now()
    lifetime = sim.config.refresh_token_lifetime
    if now - grant.issued_at > lifetime:
        days, rest = divmod(int(lifetime), 86400)
        raise EntraError("invalid_grant", 700082, (
            f"The refresh token has expired due to inactivity.\u00a0The token was issued on "
            f"{_iso7(grant.issued_at)} and was inactive for {days}.{rest // 3600:02}:{rest % 3600 // 60:02}:"
            f"{rest % 60:02}."))
    if user.revoked_at is not None and grant.issued_at < user.revoked_at:
        raise EntraError("invalid_grant", 50173, (
            f"{MSG_REVOKED} The user might have changed or reset their password. The grant was issued on "
            f"'{_iso7(grant.auth_time)}' and the TokensValidFrom date (before which tokens are not valid) for this "
            f"user is '{sim.directory.valid_from(user)[:-1]}.0000000Z'."))
    scopes = parse_scopes(sim, form["scope"]) if form.get("scope", "").strip() else grant.scopes
    if "offline_access" in grant.scopes.oidc and "offline_access" not in scopes.oidc:
        scopes = GrantedScopes(scopes.graph, (*scopes.oidc, "offline_access"), scopes.prefix, scopes.audience)
    xms_cc = _client_capabilities(form.get("claims"))
    return _tokens(sim, request, client, user, scopes, None, grant.auth_time,
                   grant.xms_cc if xms_cc is None else xms_cc, form, with_refresh=True)


def _password(sim: Sim, request: Request, client: AppRegistration, form: dict[str, str]) -> Response:
    for parameter in ("username", "password", "scope"):
        if not form.get(parameter, "").strip():
            raise missing(parameter)
    scopes = parse_scopes(sim, form["scope"])
    user, code = sim.directory.authenticate(form["username"], form["password"])
    if user is None:
        if code == UNKNOWN_USER:
            raise EntraError("invalid_grant", code, (
                f"The user account {{EmailHidden}} does not exist in the {sim.directory.domain} directory. To sign "
                "into this application, the account must be added to the directory."))
        raise EntraError("invalid_grant", code, MSG_DISABLED if code == ACCOUNT_DISABLED else MSG_BAD_CREDENTIALS)
    return _tokens(sim, request, client, user, scopes, None, sim.clock.now(),
                   _client_capabilities(form.get("claims")) or (), form,
                   with_refresh="offline_access" in scopes.oidc)


def _signed_in_user(sim: Sim, oid: str) -> User:
    """The user behind a code or refresh token, if they still exist and may sign in."""
    user = sim.directory.by_id(oid)
    if user is None:
        raise EntraError("invalid_grant", UNKNOWN_USER, (
            f"The user account {{EmailHidden}} does not exist in the {sim.directory.domain} directory. To sign into "
            "this application, the account must be added to the directory."))
    if not user.account_enabled:
        raise EntraError("invalid_grant", ACCOUNT_DISABLED, MSG_DISABLED)
    return user


def _tokens(sim: Sim, request: Request, client: AppRegistration, user: User, scopes: GrantedScopes,
            nonce: str | None, auth_time: float, xms_cc: tuple[str, ...], form: dict[str, str],
            with_refresh: bool) -> Response:
    tokens = sim.tokens
    access_token, lifetime = tokens.issue_access_token(user, client.client_id, client.display_name, scopes, xms_cc,
                                                       request.client_ip)
    answer: dict[str, object] = {"token_type": "Bearer", "scope": scopes.scope_answer(), "expires_in": lifetime,
                                 "ext_expires_in": lifetime, "access_token": access_token}
    if with_refresh:
        answer["refresh_token"] = tokens.issue_refresh_token(
            RefreshGrant(user.id, client.client_id, scopes, sim.clock.now(), auth_time, xms_cc))
    if "openid" in scopes.oidc:
        answer["id_token"] = tokens.issue_id_token(user, client.client_id, scopes, nonce,
                                                   f"{sim.base_url}/{sim.directory.tenant_id}/v2.0")
    if form.get("client_info") == "1":
        answer["client_info"] = _client_info(sim, user)
    return json_response(200, answer, _NO_STORE)


def _client_info(sim: Sim, user: User) -> str:
    return b64url(json.dumps({"uid": user.id, "utid": sim.directory.tenant_id}, separators=(",", ":")).encode())


def _iso7(epoch: float) -> str:
    """Entra's timestamps in messages: seven fractional digits."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"
