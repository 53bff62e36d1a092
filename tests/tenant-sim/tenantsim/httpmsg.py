"""Request and response values passed between the server and the services (identity, Graph, control API)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(slots=True)
class Request:
    method: str
    path: str                   # percent-decoded, without the query
    raw_path: str               # as received, without the query
    query: dict[str, str]       # decoded; the last value wins
    raw_query: str
    headers: dict[str, str]     # names lower-cased
    body: bytes
    client_ip: str


@dataclass(slots=True)
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def json_response(status: int, obj: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, [("Content-Type", JSON_TYPE), *headers], body)


def html_response(status: int, html: str, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, [("Content-Type", HTML_TYPE), *headers], html.encode())


def empty_response(status: int, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, list(headers), b"")
