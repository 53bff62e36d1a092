"""Graph's identity-and-access throttling: a resource-unit token bucket and a write bucket per app per tenant.

Buckets refill continuously (limit / window per second) and start full. The caller passes the time, so the
simulator clock (which tests move) drives refills.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

DEFAULT_RU_WINDOW = 10.0
DEFAULT_WRITE_LIMIT = 3000
DEFAULT_WRITE_WINDOW = 150.0
WARN_FRACTION = 0.8          # above this share of the limit, answers carry x-ms-throttle-limit-percentage


def default_ru_limit(tenant_users: int) -> int:
    """Microsoft's published limits by tenant size."""
    if tenant_users < 50:
        return 3500
    if tenant_users <= 500:
        return 5000
    return 8000


def request_cost(method: str, collection: bool, has_select: bool, top: int | None) -> int:
    """Resource units of one request: GET users 2, other GET 1, $select -1, $top < 20 -1, at least 1."""
    if method != "GET":
        return 1
    cost = 2 if collection else 1
    if has_select:
        cost -= 1
    if top is not None and top < 20:
        cost -= 1
    return max(cost, 1)


@dataclass
class Verdict:
    allowed: bool
    headers: list[tuple[str, str]] = field(default_factory=list)   # to add to the answer (429 or not)


@dataclass
class _Bucket:
    tokens: float
    stamp: float

    def refill(self, now: float, limit: float, window: float) -> None:
        if now > self.stamp:
            self.tokens = min(float(limit), self.tokens + (now - self.stamp) * limit / window)
            self.stamp = now


class Throttle:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ru: dict[tuple[str, str], _Bucket] = {}
        self._writes: dict[tuple[str, str], _Bucket] = {}
        self.ru_limit: int | None = None            # None: by tenant size
        self.ru_window = DEFAULT_RU_WINDOW
        self.write_limit = DEFAULT_WRITE_LIMIT
        self.write_window = DEFAULT_WRITE_WINDOW

    def configure(self, **settings: float | None) -> None:
        """Change limits at run time (None restores a default); every bucket starts again full."""
        unknown = set(settings) - {"ru_limit", "ru_window", "write_limit", "write_window"}
        if unknown:
            raise TypeError(f"unknown throttle settings: {', '.join(sorted(unknown))}")
        with self._lock:
            if "ru_limit" in settings:
                value = settings["ru_limit"]
                self.ru_limit = None if value is None else int(value)
            if "ru_window" in settings:
                self.ru_window = float(settings["ru_window"] or DEFAULT_RU_WINDOW)
            if "write_limit" in settings:
                self.write_limit = int(settings["write_limit"] or DEFAULT_WRITE_LIMIT)
            if "write_window" in settings:
                self.write_window = float(settings["write_window"] or DEFAULT_WRITE_WINDOW)
            self._ru.clear()
            self._writes.clear()

    def effective(self, tenant_users: int) -> dict[str, float]:
        return {"ru_limit": self.ru_limit or default_ru_limit(tenant_users), "ru_window": self.ru_window,
                "write_limit": self.write_limit, "write_window": self.write_window}

    def charge(self, app_id: str, tenant_id: str, cost: int, write: bool, now: float,
               tenant_users: int) -> Verdict:
        """Take `cost` resource units (and one write) if the buckets hold them; else a 429 verdict."""
        key = (app_id, tenant_id)
        ru_limit = self.ru_limit or default_ru_limit(tenant_users)
        with self._lock:
            ru = self._ru.get(key)
            if ru is None:
                ru = self._ru[key] = _Bucket(float(ru_limit), now)
            ru.refill(now, ru_limit, self.ru_window)
            if ru.tokens < cost:
                wait = (cost - ru.tokens) * self.ru_window / ru_limit
                return self._refused(app_id, tenant_id, "ReadWrite", "ResourceUnitLimitExceeded", wait,
                                     (ru_limit - ru.tokens + cost) / ru_limit)
            if write:
                writes = self._writes.get(key)
                if writes is None:
                    writes = self._writes[key] = _Bucket(float(self.write_limit), now)
                writes.refill(now, self.write_limit, self.write_window)
                if writes.tokens < 1:
                    wait = (1 - writes.tokens) * self.write_window / self.write_limit
                    return self._refused(app_id, tenant_id, "Write", "WriteLimitExceeded", wait,
                                         (self.write_limit - writes.tokens + 1) / self.write_limit)
                writes.tokens -= 1
            ru.tokens -= cost
            used = (ru_limit - ru.tokens) / ru_limit
        headers = [("x-ms-resource-unit", str(cost))]
        if used > WARN_FRACTION:
            headers.append(("x-ms-throttle-limit-percentage", _fraction(used)))
        return Verdict(True, headers)

    @staticmethod
    def _refused(app_id: str, tenant_id: str, limit: str, reason: str, wait: float, used: float) -> Verdict:
        # Retry-After in whole seconds, rounded up, as Graph sends it.
        return Verdict(False, [("Retry-After", str(max(1, math.ceil(wait - 1e-9)))),
                               ("x-ms-throttle-scope", f"Tenant_Application/{limit}/{app_id}/{tenant_id}"),
                               ("x-ms-throttle-information", reason),
                               ("x-ms-throttle-limit-percentage", _fraction(used))])


def _fraction(used: float) -> str:
    return f"{min(used, 1.8):.2f}".rstrip("0").rstrip(".")
