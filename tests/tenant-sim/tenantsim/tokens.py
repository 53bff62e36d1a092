"""Everything that is a token: the signing key and JWKS, JWT id and access tokens, authorization codes,
refresh tokens, session cookies, and the access token check Graph uses (`verify_graph_token`).

Refresh tokens and session cookies are opaque to clients, as Entra's are: AES-GCM sealed records, so the
simulator keeps no table of them and an old refresh token stays usable (Entra does not rotate them out).
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import random
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from .directory import User

if TYPE_CHECKING:
    from .sim import Sim

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_URI = "https://graph.microsoft.com"
DEFAULT_USER_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509"   # every member's "wids" carries it
ID_TOKEN_LIFETIME = 3600
CLOCK_SKEW = 300          # Microsoft.IdentityModel's default tolerance, which Graph applies to exp and nbf

MSG_EMPTY = "Access token is empty."
MSG_EXPIRED = "Access token has expired or is not yet valid."
MSG_MALFORMED = ("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE "
                 "Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): "
                 "'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext."
                 "EncodedAuthenticationTag'.")
MSG_INVALID = "Access token validation failure."
MSG_AUDIENCE = "Access token validation failure. Invalid audience."

_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_VERIFIED_CACHE_SIZE = 4096


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def pkce_s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())


class SigningKey:
    """RSA 2048 key with a self-signed certificate, published in the JWKS like Entra's (kid = x5t)."""

    def __init__(self, private_key: rsa.RSAPrivateKey, cert: x509.Certificate) -> None:
        self.private_key = private_key
        self.public_key = private_key.public_key()
        der = cert.public_bytes(serialization.Encoding.DER)
        self.kid = b64url(hashlib.sha1(der).digest())
        numbers = self.public_key.public_numbers()
        self.jwk = {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid,
                    "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                    "e": b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
                    "x5c": [base64.b64encode(der).decode("ascii")]}
        self.header = b64url(_compact_json({"typ": "JWT", "alg": "RS256", "x5t": self.kid, "kid": self.kid}))

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.accesscontrol.windows.net")])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=5 * 365))
                .sign(key, hashes.SHA256()))
        return cls(key, cert)


class PendingKey:
    """The signing key, generated on a background thread: RSA 2048 takes a few hundred milliseconds (OpenSSL
    releases the GIL), so the simulator builds its directory and starts listening meanwhile. First use waits."""

    def __init__(self) -> None:
        self._key: SigningKey | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        threading.Thread(target=self._generate, name="keygen").start()   # not a daemon: exit waits for OpenSSL

    def _generate(self) -> None:
        try:
            self._key = SigningKey.generate()
        except BaseException as e:      # handed to whoever needs the key
            self._error = e
        finally:
            self._done.set()

    def get(self) -> SigningKey:
        if self._key is None:
            self._done.wait()
            if self._error is not None:
                raise self._error
        return self._key


@dataclass(frozen=True, slots=True)
class GrantedScopes:
    graph: tuple[str, ...]      # canonical Graph permission names: ("User.Read.All", ...)
    oidc: tuple[str, ...]       # the requested subset of openid, profile, email, offline_access
    prefix: str                 # how the client named Graph ("https://graph.microsoft.com/"), echoed in "scope"
    audience: str               # "aud" of the access token

    def scope_answer(self) -> str:
        """The token response's "scope": Graph permissions with the resource prefix, then the OIDC scopes."""
        return " ".join([self.prefix + s for s in self.graph] + list(self.oidc))

    def scp(self) -> str:
        """The access token's "scp": no prefix; OIDC scopes except offline_access, in Entra's order."""
        oidc = [s for s in ("profile", "openid", "email") if s in self.oidc]
        return " ".join(list(self.graph) + oidc)


@dataclass(slots=True)
class CodeGrant:
    client_id: str
    redirect_uri: str
    scopes: GrantedScopes
    nonce: str | None
    code_challenge: str
    user_id: str
    auth_time: float
    xms_cc: tuple[str, ...]
    expires_at: float
    redeemed_at: float | None = None


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    user_id: str
    client_id: str
    scopes: GrantedScopes
    issued_at: float
    auth_time: float
    xms_cc: tuple[str, ...]


class TokenService:
    """Issues and checks every token of one simulator run (keys and sealing secrets live only in memory)."""

    def __init__(self, sim: Sim, key: PendingKey) -> None:
        self._sim = sim
        self._key = key
        self._sealer = AESGCM(AESGCM.generate_key(bit_length=256))
        self._codes: dict[str, CodeGrant] = {}
        self._codes_lock = threading.Lock()
        self._lifetimes = random.Random(sim.config.seed)
        self._lifetimes_lock = threading.Lock()
        self._verified: dict[str, dict] = {}

    @property
    def key(self) -> SigningKey:
        return self._key.get()

    # -- JWKS and JWTs ---------------------------------------------------------------------------------------
    def jwks(self, issuer: str) -> dict:
        return {"keys": [{**self.key.jwk, "issuer": issuer}]}

    def _sign(self, claims: dict) -> str:
        signing_input = self.key.header + "." + b64url(_compact_json(claims))
        signature = self.key.private_key.sign(signing_input.encode("ascii"), _PKCS1, _SHA256)
        return signing_input + "." + b64url(signature)

    def _access_token_lifetime(self) -> int:
        fixed = self._sim.config.access_token_lifetime
        if fixed:
            return fixed
        with self._lifetimes_lock:
            return 3600 + self._lifetimes.randrange(1800)    # Entra: a random lifetime of 60-90 minutes

    def issue_access_token(self, user: User, client_id: str, client_name: str, scopes: GrantedScopes,
                           xms_cc: tuple[str, ...], client_ip: str) -> tuple[str, int]:
        now = int(self._sim.clock.now())
        lifetime = self._access_token_lifetime()
        tid = self._sim.directory.tenant_id
        claims: dict[str, Any] = {
            "aud": scopes.audience, "iss": f"https://sts.windows.net/{tid}/", "iat": now, "nbf": now,
            "exp": now + lifetime, "acct": 0, "acr": "1", "amr": ["pwd"], "app_displayname": client_name,
            "appid": client_id, "appidacr": "0"}
        if user.surname:
            claims["family_name"] = user.surname
        if user.given_name:
            claims["given_name"] = user.given_name
        claims.update({
            "idtyp": "user", "ipaddr": client_ip, "name": user.display_name, "oid": user.id, "scp": scopes.scp(),
            "sub": self._pairwise_sub(user.id, GRAPH_APP_ID), "tenant_region_scope": "NA", "tid": tid,
            "unique_name": user.user_principal_name, "upn": user.user_principal_name, "uti": _uti(), "ver": "1.0",
            "wids": [*user.roles, DEFAULT_USER_ROLE]})
        if "cp1" in xms_cc:
            claims["xms_cc"] = ["cp1"]
        return self._sign(claims), lifetime

    def issue_id_token(self, user: User, client_id: str, scopes: GrantedScopes, nonce: str | None,
                       issuer: str) -> str:
        now = int(self._sim.clock.now())
        claims: dict[str, Any] = {"aud": client_id, "iss": issuer, "iat": now, "nbf": now,
                                  "exp": now + ID_TOKEN_LIFETIME}
        if "email" in scopes.oidc and user.mail:
            claims["email"] = user.mail
        if "profile" in scopes.oidc:
            claims["name"] = user.display_name
        if nonce is not None:
            claims["nonce"] = nonce
        claims["oid"] = user.id
        if "profile" in scopes.oidc:
            claims["preferred_username"] = user.user_principal_name
        claims.update({"sub": self._pairwise_sub(user.id, client_id), "tid": self._sim.directory.tenant_id,
                       "uti": _uti(), "ver": "2.0"})
        return self._sign(claims)

    def _pairwise_sub(self, oid: str, app_id: str) -> str:
        """Entra's "sub" is pairwise: stable for one user and one app, different across apps."""
        return b64url(hashlib.sha256(f"{oid}|{app_id}|{self._sim.directory.tenant_id}".encode()).digest())

    # -- Graph's side --------------------------------------------------------------------------------------------
    def verify_graph_token(self, authorization_header: str | None) -> tuple[dict | None, str | None]:
        if not authorization_header:
            return None, MSG_EMPTY
        scheme, _, token = authorization_header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None, MSG_EMPTY
        claims = self._verified.get(token)
        if claims is None:
            claims, message = self._check_signed(token)
            if claims is None:
                return None, message
            if len(self._verified) >= _VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = claims
        now = self._sim.clock.now()
        if not (claims["nbf"] - CLOCK_SKEW <= now <= claims["exp"] + CLOCK_SKEW):
            return None, MSG_EXPIRED
        return claims, None

    def _check_signed(self, token: str) -> tuple[dict | None, str | None]:
        parts = token.split(".")
        if len(parts) != 3:
            return None, MSG_MALFORMED
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            return None, MSG_MALFORMED
        if not isinstance(header, dict) or not isinstance(claims, dict):
            return None, MSG_MALFORMED
        if header.get("alg") != "RS256" or header.get("kid") != self.key.kid:
            return None, MSG_INVALID
        try:
            self.key.public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"), _PKCS1, _SHA256)
        except (InvalidSignature, UnicodeEncodeError):
            return None, MSG_INVALID
        if claims.get("aud") not in (GRAPH_APP_ID, GRAPH_URI, self._sim.base_url) \
                or claims.get("ver") != "1.0":
            return None, MSG_AUDIENCE
        if not isinstance(claims.get("exp"), int) or not isinstance(claims.get("nbf"), int):
            return None, MSG_INVALID
        return claims, None

    # -- authorization codes ---------------------------------------------------------------------------------
    def create_code(self, grant: CodeGrant) -> str:
        # Long, and with '.', '-' and '_', like Entra's codes: clients must not re-encode or truncate them.
        while True:
            code = "1.A" + secrets.token_urlsafe(96) + "." + secrets.token_urlsafe(480)
            if "-" in code and "_" in code:
                break
        now = self._sim.clock.now()
        with self._codes_lock:
            if len(self._codes) > 1000:   # forget codes long past use: reuse then reads as an unknown code
                self._codes = {c: g for c, g in self._codes.items()
                               if g.expires_at + self._sim.config.code_lifetime > now}
            self._codes[code] = grant
        return code

    def redeem_code(self, code: str) -> tuple[CodeGrant | None, str | None]:
        """(grant, None), or (grant or None, reason) with reason "invalid", "redeemed" or "expired"."""
        now = self._sim.clock.now()
        with self._codes_lock:
            grant = self._codes.get(code)
            if grant is None:
                return None, "invalid"
            if grant.redeemed_at is not None:
                return grant, "redeemed"
            if now > grant.expires_at:
                return grant, "expired"
            grant.redeemed_at = now
            return grant, None

    # -- refresh tokens and session cookies ------------------------------------------------------------------
    def seal(self, purpose: bytes, record: dict) -> str:
        nonce = os.urandom(12)
        return "1.A" + b64url(nonce + self._sealer.encrypt(nonce, _compact_json(record), purpose))

    def unseal(self, purpose: bytes, sealed: str) -> dict | None:
        if not sealed.startswith("1.A"):
            return None
        try:
            raw = b64url_decode(sealed[3:])
            record = json.loads(self._sealer.decrypt(raw[:12], raw[12:], purpose))
        except (ValueError, InvalidTag):
            return None
        return record if isinstance(record, dict) else None

    def issue_refresh_token(self, grant: RefreshGrant) -> str:
        s = grant.scopes
        return self.seal(b"refresh", {"u": grant.user_id, "c": grant.client_id, "g": list(s.graph),
                                      "o": list(s.oidc), "p": s.prefix, "a": s.audience, "i": grant.issued_at,
                                      "t": grant.auth_time, "x": list(grant.xms_cc)})

    def open_refresh_token(self, token: str) -> RefreshGrant | None:
        r = self.unseal(b"refresh", token)
        if r is None:
            return None
        return RefreshGrant(r["u"], r["c"], GrantedScopes(tuple(r["g"]), tuple(r["o"]), r["p"], r["a"]),
                            r["i"], r["t"], tuple(r["x"]))


def _uti() -> str:
    return b64url(os.urandom(16))
