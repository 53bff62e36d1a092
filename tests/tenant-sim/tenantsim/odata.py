"""OData query options on Graph's users collection: $search, $filter, $select, $top, $orderby, $count and the
$skiptoken of next links. Parsing raises `QueryError` carrying Graph's status, code and message; evaluation
returns sets of user positions in the directory.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Union

from .directory import SEARCHABLE, Directory, fold, tokens

# Properties of microsoft.graph.user that Graph knows on v1.0 (beta adds BETA_ONLY). Only some are modelled;
# the others are answered as null (or [] for collections) when selected.
USER_PROPERTIES = (
    "aboutMe", "accountEnabled", "ageGroup", "assignedLicenses", "assignedPlans", "authorizationInfo", "birthday",
    "businessPhones", "city", "companyName", "consentProvidedForMinor", "country", "createdDateTime",
    "creationType", "deletedDateTime", "department", "displayName", "employeeHireDate", "employeeId",
    "employeeLeaveDateTime", "employeeOrgData", "employeeType", "externalUserState",
    "externalUserStateChangeDateTime", "faxNumber", "givenName", "hireDate", "id", "identities", "imAddresses",
    "interests", "isManagementRestricted", "isResourceAccount", "jobTitle", "lastPasswordChangeDateTime",
    "legalAgeGroupClassification", "licenseAssignmentStates", "mail", "mailboxSettings", "mailNickname",
    "mobilePhone", "mySite", "officeLocation", "onPremisesDistinguishedName", "onPremisesDomainName",
    "onPremisesExtensionAttributes", "onPremisesImmutableId", "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors", "onPremisesSamAccountName", "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "otherMails", "passwordPolicies", "passwordProfile",
    "pastProjects", "postalCode", "preferredDataLocation", "preferredLanguage", "preferredName",
    "provisionedPlans", "proxyAddresses", "responsibilities", "schools", "securityIdentifier",
    "serviceProvisioningErrors", "showInAddressList", "signInActivity", "signInSessionsValidFromDateTime",
    "skills", "sponsors", "state", "streetAddress", "surname", "usageLocation", "userPrincipalName", "userType",
)
BETA_ONLY = ("infoCatalogs", "refreshTokensValidFromDateTime")
COLLECTIONS = frozenset({"assignedLicenses", "assignedPlans", "businessPhones", "identities", "imAddresses",
                         "interests", "licenseAssignmentStates", "otherMails", "pastProjects",
                         "provisionedPlans", "proxyAddresses", "responsibilities", "schools",
                         "serviceProvisioningErrors", "skills", "infoCatalogs", "onPremisesProvisioningErrors"})

# What Graph returns without $select. v1.0 documents this set; beta returns the whole entity.
V1_DEFAULT = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
              "preferredLanguage", "surname", "userPrincipalName", "id")
BETA_DEFAULT = ("id", "deletedDateTime", "accountEnabled", "businessPhones", "createdDateTime", "creationType",
                "department", "displayName", "externalUserState", "givenName", "jobTitle", "mail", "mailNickname",
                "mobilePhone", "officeLocation", "preferredLanguage", "refreshTokensValidFromDateTime",
                "signInSessionsValidFromDateTime", "surname", "userPrincipalName", "userType")

_BY_LOWER = {v: {p.lower(): p for p in USER_PROPERTIES + (BETA_ONLY if v == "beta" else ())}
             for v in ("v1.0", "beta")}
_EQ_PROPERTIES = frozenset({"id", "userPrincipalName", "mail", "accountEnabled", "userType", "displayName",
                            "givenName", "surname", "jobTitle", "department", "officeLocation", "mobilePhone",
                            "preferredLanguage"})
_STARTSWITH_PROPERTIES = frozenset({"displayName", "givenName", "surname", "mail", "userPrincipalName", "jobTitle",
                                    "department", "officeLocation", "mobilePhone", "preferredLanguage"})
ORDERABLE = frozenset({"displayName", "userPrincipalName"})

MAX_TOP = 999
DEFAULT_TOP = 100

UNSUPPORTED = "Unsupported Query."


class QueryError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _bad(message: str, code: str = "BadRequest") -> QueryError:
    return QueryError(400, code, message)


def _unsupported(message: str = UNSUPPORTED) -> QueryError:
    return QueryError(400, "Request_UnsupportedQuery", message)


def _no_property(name: str) -> QueryError:
    return _bad(f"Could not find a property named '{name}' on type 'microsoft.graph.user'.", "Request_BadRequest")


def property_name(name: str, version: str) -> str | None:
    """The canonical name of a user property (Graph matches them case-insensitively), or None."""
    return _BY_LOWER[version].get(name.lower())


# -- $select, $top, $count, $orderby -------------------------------------------------------------------------------
def parse_select(text: str, version: str) -> list[str]:
    selected: list[str] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name = property_name(item, version)
        if name is None:
            raise _bad("Parsing OData Select and Expand failed: Could not find a property named "
                       f"'{item}' on type 'microsoft.graph.user'.", "Request_BadRequest")
        if name not in selected:
            selected.append(name)
    return selected


def parse_top(text: str) -> int:
    stripped = text.strip()
    if not stripped.isdigit():
        raise _bad(f"Invalid value '{text}' for $top query option found. "
                   "The $top query option requires a non-negative integer value.")
    top = int(stripped)
    if not 1 <= top <= MAX_TOP:
        raise _unsupported(f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive.")
    return top


def parse_count(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise _bad(f"'{text}' is not a valid count option.")
    return value == "true"


def parse_orderby(text: str, version: str) -> tuple[str, bool]:
    """(property, descending)."""
    parts = text.split()
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
        raise _bad(f"Syntax error at position {len(text)} in '{text}'.")
    name = property_name(parts[0], version)
    if name is None:
        raise _no_property(parts[0])
    if name not in ORDERABLE:
        raise _unsupported()
    return name, len(parts) == 2 and parts[1].lower() == "desc"


# -- $skiptoken -----------------------------------------------------------------------------------------------------
# Opaque to clients; shaped like Graph's user-list tokens, which start "RFNwdAIAAQAAA".
_TOKEN_PREFIX = b"DSpt\x02\x00\x01\x00\x00\x00"


def make_skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(_TOKEN_PREFIX + offset.to_bytes(6, "big")).decode().rstrip("=")


def read_skiptoken(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != len(_TOKEN_PREFIX) + 6 or not raw.startswith(_TOKEN_PREFIX):
        raise _bad("The specified page token value has expired and can no longer be included in your request.",
                   "Request_BadRequest")
    return int.from_bytes(raw[len(_TOKEN_PREFIX):], "big")


# -- expression trees -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clause:            # $search: "property:text"
    prop: str
    text: str


@dataclass(frozen=True)
class Compare:           # $filter: startswith(prop,'v') / prop eq v / prop in (v, ...)
    op: str
    prop: str
    values: tuple[Union[str, bool], ...]


@dataclass(frozen=True)
class Junction:          # AND / OR of two expressions
    op: str
    left: "Node"
    right: "Node"


Node = Union[Clause, Compare, Junction]


def evaluate(node: Node, directory: Directory) -> set[int]:
    if isinstance(node, Junction):
        left = evaluate(node.left, directory)
        if node.op == "and":
            return left & evaluate(node.right, directory) if left else left
        return left | evaluate(node.right, directory)
    if isinstance(node, Clause):
        return _search_clause(node, directory)
    return _compare(node, directory)


def _search_clause(clause: Clause, directory: Directory) -> set[int]:
    if clause.prop != "displayName":
        return set(directory.value_prefix(clause.prop, fold(clause.text)))
    # Tokenized: every token of the text must start a token of the name, in any order.
    wanted = sorted(tokens(clause.text), key=len, reverse=True)   # longest first: smallest sets first
    found: set[int] | None = None
    for i, token in enumerate(wanted):
        if any(longer.startswith(token) for longer in wanted[:i]):
            continue   # implied: a name token that starts with the longer one starts with this one too
        matches = set(directory.display_name_token(token))
        found = matches if found is None else found & matches
        if not found:
            break
    return found or set()


def _compare(node: Compare, directory: Directory) -> set[int]:
    if node.op == "startswith":
        return set(directory.value_prefix(node.prop, fold(str(node.values[0]))))
    found: set[int] = set()
    for value in node.values:
        if node.prop == "accountEnabled":
            found.update(i for i, u in enumerate(directory.users) if u.account_enabled is value)
        else:
            found.update(directory.value_equals(node.prop, fold(str(value))))
    return found


# -- $search ------------------------------------------------------------------------------------------------------
_SEARCH_LEX = re.compile(r'\s+|(?P<lp>\()|(?P<rp>\))|(?P<q>")|(?P<word>[^\s()"]+)')


def parse_search(text: str, version: str) -> Node:
    """`"prop:text" [AND|OR] "prop:text" ...` with parentheses; inside quotes, \\" and \\\\ are escapes."""
    items: list[tuple[str, str, int]] = []     # (kind, value, position)
    pos = 0
    while pos < len(text):
        m = _SEARCH_LEX.match(text, pos)
        assert m is not None  # every character starts some alternative
        if m.group("q"):
            value, pos = _read_phrase(text, pos)
            items.append(("phrase", value, m.start()))
            continue
        if m.group("lp") or m.group("rp"):
            items.append((m.group(), m.group(), m.start()))
        elif m.group("word"):
            word = m.group("word")
            if word in ("AND", "OR"):
                items.append((word.lower(), word, m.start()))
            elif word == "NOT":
                raise _unsupported()
            else:
                bad = next((i for i, c in enumerate(word) if not (c.isalnum() or c in "-_.@")), None)
                if bad is not None:
                    raise _bad(f"Syntax error: character '{word[bad]}' is not valid at position "
                               f"{m.start() + bad} in '{text}'.")
                raise _unsupported()   # a bare word: directory search needs "property:value" clauses
        pos = m.end()
    if not items:
        raise _bad(f"Syntax error at position 0 in '{text}'.")
    parser = _Parser(items, text, lambda value: _clause(value, version))
    return parser.parse()


def _read_phrase(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
        elif c == '"':
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise _bad(f"Unterminated string literal at position {start} in '{text}'.")


def _clause(phrase: str, version: str) -> Clause:
    prop, sep, value = phrase.partition(":")
    if not sep or not prop.strip():
        raise _unsupported()
    name = property_name(prop.strip(), version)
    if name is None:
        raise _no_property(prop.strip())
    if name not in SEARCHABLE:
        raise _unsupported()
    return Clause(name, value)


class _Parser:
    """Precedence climbing over (kind, value, position) items: OR binds looser than AND."""

    def __init__(self, items: list[tuple[str, object, int]], text: str, leaf) -> None:
        self._items, self._text, self._leaf, self._at = items, text, leaf, 0

    def parse(self) -> Node:
        node = self._or()
        if self._at < len(self._items):
            self._syntax_error()
        return node

    def _peek(self) -> str | None:
        return self._items[self._at][0] if self._at < len(self._items) else None

    def _or(self) -> Node:
        node = self._and()
        while self._peek() == "or":
            self._at += 1
            node = Junction("or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._primary()
        while self._peek() == "and":
            self._at += 1
            node = Junction("and", node, self._primary())
        return node

    def _primary(self) -> Node:
        kind = self._peek()
        if kind == "(":
            self._at += 1
            node = self._or()
            if self._peek() != ")":
                self._syntax_error()
            self._at += 1
            return node
        if kind is None or kind in (")", "and", "or"):
            self._syntax_error()
        item = self._items[self._at]
        self._at += 1
        return self._leaf(item[1])

    def _syntax_error(self) -> None:
        position = self._items[self._at][2] if self._at < len(self._items) else len(self._text)
        raise _bad(f"Syntax error at position {position} in '{self._text}'.")


# -- $filter ------------------------------------------------------------------------------------------------------
_FILTER_LEX = re.compile(r"\s+|(?P<lp>\()|(?P<rp>\))|(?P<comma>,)|(?P<q>')"
                         r"|(?P<word>[A-Za-z_][A-Za-z0-9_./]*)|(?P<other>.)", re.S)
_FILTER_FUNCTIONS = frozenset({"startswith", "endswith", "contains", "substringof", "tolower", "toupper", "trim",
                               "concat", "indexof", "length", "substring", "any", "all"})


def parse_filter(text: str, version: str) -> Node:
    """startswith(prop,'v'), prop eq 'v' | true | false | null, prop in ('a','b'), joined by and / or."""
    items: list[tuple[str, object, int]] = []
    pos = 0
    while pos < len(text):
        m = _FILTER_LEX.match(text, pos)
        assert m is not None
        if m.group("q"):
            value, pos = _read_literal(text, pos)
            items.append(("literal", value, m.start()))
            continue
        if m.group("word"):
            word = m.group("word")
            lower = word.lower()
            if lower in ("and", "or"):
                items.append((lower, lower, m.start()))
            elif lower in ("true", "false"):
                items.append(("literal", lower == "true", m.start()))
            elif lower == "null":
                items.append(("literal", None, m.start()))
            else:
                items.append(("name", word, m.start()))
        elif m.group("other"):
            raise _bad(f"Syntax error: character '{m.group()}' is not valid at position {m.start()} in '{text}'.")
        elif not m.group().isspace():
            items.append((m.group(), m.group(), m.start()))
        pos = m.end()
    if not items:
        raise _bad(f"Syntax error at position 0 in '{text}'.")
    return _FilterParser(items, text, version).parse()


def _read_literal(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    while i < len(text):
        if text[i] == "'":
            if i + 1 < len(text) and text[i + 1] == "'":    # '' is an escaped quote
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    raise _bad(f"Unterminated string literal at position {start} in '{text}'.")


class _FilterParser(_Parser):
    def __init__(self, items: list[tuple[str, object, int]], text: str, version: str) -> None:
        super().__init__(items, text, None)
        self._version = version

    def _take(self, kind: str) -> tuple[str, object, int]:
        if self._peek() != kind:
            self._syntax_error()
        item = self._items[self._at]
        self._at += 1
        return item

    def _property(self, name: str) -> str:
        prop = property_name(name, self._version)
        if prop is None:
            raise _no_property(name)
        return prop

    def _primary(self) -> Node:
        kind = self._peek()
        if kind == "(":
            return super()._primary()
        _, word, _ = self._take("name")
        lower = str(word).lower()
        if self._peek() == "(":            # a function call
            if lower not in _FILTER_FUNCTIONS:
                raise _bad(f"An unknown function with name '{word}' was found. This may also be a function import "
                           "or a key lookup on a navigation property, which is not allowed.")
            self._at += 1
            prop = self._property(str(self._take("name")[1]))
            self._take(",")
            value = self._take("literal")[1]
            self._take(")")
            if lower != "startswith" or prop not in _STARTSWITH_PROPERTIES or not isinstance(value, str):
                raise _unsupported()
            return Compare("startswith", prop, (value,))
        if lower == "not":
            raise _unsupported()
        prop = self._property(str(word))
        _, op, _ = self._take("name")
        op = str(op).lower()
        if op == "eq":
            values: tuple = (self._take("literal")[1],)
        elif op == "in":
            self._take("(")
            collected = [self._take("literal")[1]]
            while self._peek() == ",":
                self._at += 1
                collected.append(self._take("literal")[1])
            self._take(")")
            values = tuple(collected)
        elif op in ("ne", "gt", "ge", "lt", "le"):
            raise _unsupported()
        else:
            self._syntax_error()
        if prop not in _EQ_PROPERTIES or None in values:
            raise _unsupported()
        wanted = bool if prop == "accountEnabled" else str
        for value in values:
            if not isinstance(value, wanted):
                raise _bad("A binary operator with incompatible types was detected. Found operand types "
                           f"'{_edm(prop)}' and '{_edm_of(value)}' for operator kind 'Equal'.")
        return Compare("eq", prop, values)


def _edm(prop: str) -> str:
    return "Edm.Boolean" if prop == "accountEnabled" else "Edm.String"


def _edm_of(value: object) -> str:
    return "Edm.Boolean" if isinstance(value, bool) else "Edm.String"
