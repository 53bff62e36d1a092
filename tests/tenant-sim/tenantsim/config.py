"""Command-line options and the simulator's settings (some of which the control API changes at run time)."""
from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass

from .directory import ROLE_NAMES, Directory


@dataclass(frozen=True)
class AppRegistration:
    client_id: str
    display_name: str
    redirect_uri: str           # registered as a loopback URI: any port matches (RFC 8252)


DEMO_APP = AppRegistration("8c3791a0-3f69-437d-9f93-53f516aafdb3", "Session Revoker (demo)", "http://localhost")

DEFAULT_USERS = 2000
DEFAULT_REFRESH_LIFETIME = 90 * 24 * 3600
DEFAULT_CODE_LIFETIME = 600


@dataclass
class Config:
    listen_host: str = "127.0.0.1"
    listen_port: int = 0
    tls: bool = False
    ca_out: str | None = None
    users: int = DEFAULT_USERS
    seed: int = 1
    latency_ms: float = 0.0
    access_token_lifetime: int | None = None     # None: 60-90 minutes per token, like Entra
    refresh_token_lifetime: int = DEFAULT_REFRESH_LIFETIME
    code_lifetime: int = DEFAULT_CODE_LIFETIME
    ru_limit: int | None = None                  # None: the throttle's defaults (Microsoft's published limits)
    ru_window: float | None = None
    write_limit: int | None = None
    write_window: float | None = None
    verbose: bool = False

    def throttle_settings(self) -> dict[str, float | None]:
        return {"ru_limit": self.ru_limit, "ru_window": self.ru_window,
                "write_limit": self.write_limit, "write_window": self.write_window}


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _accounts_text() -> str:
    lines = [f"tenant: {Directory.display_name}, id {Directory.tenant_id}, domain {Directory.domain}",
             f"client: {DEMO_APP.display_name}, id {DEMO_APP.client_id}, public, "
             f"redirect URI {DEMO_APP.redirect_uri} (any port; 127.0.0.1 accepted)",
             "demo accounts (password Passw0rd! for every account, generated ones too):"]
    # A directory of the minimum size holds exactly the fixed accounts.
    for user in Directory(0, 0, _NoClock()).users:
        role = ", ".join(ROLE_NAMES.get(r, r) for r in user.roles) or "no role"
        lines.append(f"  {user.user_principal_name:<24} {role:<24} {user.id}  {user.display_name}")
    return "\n".join(lines)


class _NoClock:
    def now(self) -> float:
        return 0.0


def _listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


def _non_negative_float(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more, got {value}")
    return number


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        prog="tenant-sim", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Offline simulator of Microsoft Entra ID (identity platform v2.0) and Microsoft Graph. "
                    "Prints 'tenant-sim listening on <base URL>' on stdout once it accepts connections.",
        epilog=_accounts_text())
    parser.add_argument("--listen", type=_listen, default=("127.0.0.1", 0), metavar="HOST:PORT",
                        help="address to bind (default 127.0.0.1:0, port 0 picks a free port); "
                             "a non-loopback address needs --tls")
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS with a certificate (SAN 127.0.0.1, localhost) from a CA generated at start")
    parser.add_argument("--ca-out", metavar="PATH", help="where to write the CA certificate (PEM) with --tls "
                                                         "(default: a temporary directory, removed on exit)")
    parser.add_argument("--users", type=int, default=DEFAULT_USERS, metavar="N",
                        help=f"number of users in the directory (default {DEFAULT_USERS})")
    parser.add_argument("--seed", type=int, default=1, metavar="N",
                        help="seed for the generated users and token lifetimes (default 1)")
    parser.add_argument("--latency-ms", type=_non_negative_float, default=0.0, metavar="N",
                        help="sleep this long before every answer (default 0)")
    parser.add_argument("--access-token-lifetime", type=_positive_int, metavar="SECONDS",
                        help="access token lifetime (default: 3600-5399 s per token, drawn from the seed, as Entra)")
    parser.add_argument("--refresh-token-lifetime", type=_positive_int, default=DEFAULT_REFRESH_LIFETIME,
                        metavar="SECONDS", help="refresh token inactivity lifetime (default 90 days)")
    parser.add_argument("--code-lifetime", type=_positive_int, default=DEFAULT_CODE_LIFETIME, metavar="SECONDS",
                        help=f"authorization code lifetime (default {DEFAULT_CODE_LIFETIME})")
    parser.add_argument("--ru-limit", type=_positive_int, metavar="N",
                        help="Graph resource units per window per app (default: by tenant size, as Microsoft)")
    parser.add_argument("--ru-window", type=_positive_float, metavar="SECONDS",
                        help="resource unit window (default 10)")
    parser.add_argument("--write-limit", type=_positive_int, metavar="N",
                        help="Graph writes per window per app (default 3000)")
    parser.add_argument("--write-window", type=_positive_float, metavar="SECONDS",
                        help="write window (default 150)")
    parser.add_argument("--verbose", action="store_true",
                        help="log each request's method and path on stderr (never queries, bodies or tokens)")
    args = parser.parse_args(argv)

    host, port = args.listen
    if not args.tls and not is_loopback_host(host):
        parser.error(f"refusing plain HTTP on non-loopback address {host}; add --tls")
    if args.ca_out and not args.tls:
        parser.error("--ca-out needs --tls")
    if args.users < 0:
        parser.error("--users must be zero or more")
    return Config(listen_host=host, listen_port=port, tls=args.tls, ca_out=args.ca_out, users=args.users,
                  seed=args.seed, latency_ms=args.latency_ms, access_token_lifetime=args.access_token_lifetime,
                  refresh_token_lifetime=args.refresh_token_lifetime, code_lifetime=args.code_lifetime,
                  ru_limit=args.ru_limit, ru_window=args.ru_window, write_limit=args.write_limit,
                  write_window=args.write_window, verbose=args.verbose)
