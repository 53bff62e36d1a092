"""Test helper: a tiny browser for the simulator's sign-in pages: parses forms, clicks buttons, keeps cookies,
and never follows redirects (tests inspect them; the redirect URI points at an app that is not there)."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

from simproc import CLIENT_ID, DEFAULT_SCOPE, TENANT_ID, Reply, SimProcess

REDIRECT_URI = "http://127.0.0.1:53682/"
_TEXT_TAGS = frozenset({"div", "p", "span", "h1", "button", "small"})


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_parts(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Page(HTMLParser):
    """Forms (action, fields, buttons) and the text of every element with an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.elements: dict[str, dict] = {}
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.elements[a["id"]] = {"tag": tag, "attrs": a, "text": ""}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {},
                               "buttons": []})
        elif self.forms and tag == "input" and a.get("type") != "submit" and "name" in a:
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif self.forms and (tag == "button" or (tag == "input" and a.get("type") == "submit")):
            self.forms[-1]["buttons"].append(a)
        if tag in _TEXT_TAGS:
            self._open.append((tag, a.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in _TEXT_TAGS and self._open:
            while self._open and self._open.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.elements[element_id]["text"] += data

    def text(self, element_id: str) -> str | None:
        element = self.elements.get(element_id)
        return None if element is None else element["text"]

    def button(self, **selector: str) -> tuple[dict, dict]:
        """(form, button) for the first button whose attributes match, e.g. id="idSIButton9" or data_test_id=..."""
        wanted = {k.replace("_", "-"): v for k, v in selector.items()}
        for form in self.forms:
            for button in form["buttons"]:
                if all(button.get(k) == v for k, v in wanted.items()):
                    return form, button
        raise AssertionError(f"no button {selector} on the page")


class Browser:
    def __init__(self, sim: SimProcess) -> None:
        self.sim = sim
        self.cookies: dict[str, str] = {}
        self.set_cookie_lines: list[str] = []

    def _send(self, method: str, path: str, body: str | None = None) -> Reply:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reply = self.sim.request(method, path, body, headers)
        for line in reply.headers.get_all("Set-Cookie") or []:
            self.set_cookie_lines.append(line)
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value and "1970" not in line:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return reply

    def get(self, path: str) -> Reply:
        return self._send("GET", path)

    def click(self, reply: Reply, fields: dict[str, str] | None = None, **selector: str) -> Reply:
        """Submits the form holding the selected button, as a browser does: its fields, edits, and the button."""
        assert reply.status == 200, reply.status
        form, button = Page(reply.text).button(**selector)
        values = {**form["fields"], **(fields or {})}
        if button.get("name"):
            values[button["name"]] = button.get("value", "")
        assert form["method"].lower() == "post"
        return self._send("POST", form["action"], urlencode(values))


def authorize_path(challenge: str, tenant: str = TENANT_ID, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI, "scope": DEFAULT_SCOPE,
        "state": "st-" + secrets.token_hex(4), "nonce": "n-" + secrets.token_hex(4), "code_challenge": challenge,
        "code_challenge_method": "S256", "client_info": "1"}
    params.update(overrides)
    return f"/{tenant}/oauth2/v2.0/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def redirect_params(reply: Reply) -> dict[str, str]:
    """The query of a 302 to the redirect URI."""
    assert reply.status == 302, (reply.status, reply.text[:300])
    location = reply.headers["Location"]
    assert location.startswith(REDIRECT_URI), location
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))
