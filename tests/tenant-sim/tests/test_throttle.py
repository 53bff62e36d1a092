"""Throttling (in-process, explicit times): costs, the resource-unit and write buckets, headers, thread safety."""
from __future__ import annotations

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tenantsim.throttle import Throttle, default_ru_limit, request_cost  # noqa: E402

APP, TENANT = "app-1", "tenant-1"
T0 = 1_795_000_000.0


class CostTests(unittest.TestCase):
    def test_costs_follow_the_published_table(self) -> None:
        self.assertEqual(request_cost("GET", collection=True, has_select=False, top=None), 2)
        self.assertEqual(request_cost("GET", collection=True, has_select=True, top=None), 1)
        self.assertEqual(request_cost("GET", collection=True, has_select=True, top=5), 1)    # never below 1
        self.assertEqual(request_cost("GET", collection=True, has_select=False, top=19), 1)
        self.assertEqual(request_cost("GET", collection=True, has_select=False, top=20), 2)
        self.assertEqual(request_cost("GET", collection=False, has_select=False, top=None), 1)
        self.assertEqual(request_cost("GET", collection=False, has_select=True, top=None), 1)
        self.assertEqual(request_cost("POST", collection=False, has_select=False, top=None), 1)

    def test_limits_by_tenant_size(self) -> None:
        self.assertEqual([default_ru_limit(n) for n in (5, 49, 50, 500, 501, 100_000)],
                         [3500, 3500, 5000, 5000, 8000, 8000])


class ThrottleTests(unittest.TestCase):
    def setUp(self) -> None:
        self.throttle = Throttle()

    def charge(self, cost: int = 1, write: bool = False, now: float = T0, app: str = APP, tenant: str = TENANT,
               users: int = 2000):
        return self.throttle.charge(app, tenant, cost, write, now, users)

    def test_default_budget_is_the_tenant_size_limit(self) -> None:
        self.assertTrue(all(self.charge(2, users=40).allowed for _ in range(1750)))
        refused = self.charge(2, users=40)
        self.assertFalse(refused.allowed)
        self.assertEqual(dict(refused.headers)["x-ms-throttle-information"], "ResourceUnitLimitExceeded")

    def test_refused_exactly_at_the_configured_limit(self) -> None:
        self.throttle.configure(ru_limit=10, ru_window=10)
        for _ in range(5):
            self.assertTrue(self.charge(2).allowed)
        refused = self.charge(2)
        self.assertFalse(refused.allowed)
        headers = dict(refused.headers)
        self.assertEqual(headers["Retry-After"], "2")       # 2 RU at 1 RU per second
        self.assertEqual(headers["x-ms-throttle-scope"], f"Tenant_Application/ReadWrite/{APP}/{TENANT}")
        self.assertEqual(headers["x-ms-throttle-information"], "ResourceUnitLimitExceeded")
        self.assertEqual(headers["x-ms-throttle-limit-percentage"], "1.2")

    def test_budget_refills_with_time(self) -> None:
        self.throttle.configure(ru_limit=10, ru_window=10)
        for _ in range(10):
            self.assertTrue(self.charge().allowed)
        self.assertFalse(self.charge(now=T0 + 0.5).allowed)
        self.assertTrue(self.charge(now=T0 + 1.0).allowed)
        self.assertFalse(self.charge(now=T0 + 1.0).allowed)
        self.assertEqual(dict(self.charge(2, now=T0 + 1.5).headers)["Retry-After"], "2")   # 1.5 s, rounded up
        for _ in range(10):
            self.assertTrue(self.charge(now=T0 + 100).allowed)   # full again, never above the limit
        self.assertFalse(self.charge(now=T0 + 100).allowed)

    def test_answers_above_80_percent_carry_the_percentage(self) -> None:
        self.throttle.configure(ru_limit=10)
        percentages = [dict(self.charge().headers).get("x-ms-throttle-limit-percentage") for _ in range(10)]
        self.assertEqual(percentages, [None] * 8 + ["0.9", "1"])
        self.assertEqual(dict(self.charge(1, now=T0 + 5).headers)["x-ms-resource-unit"], "1")

    def test_write_limit(self) -> None:
        self.throttle.configure(write_limit=3, write_window=150)
        for _ in range(3):
            self.assertTrue(self.charge(write=True).allowed)
        self.assertTrue(self.charge(write=False).allowed)     # reads still pass
        refused = self.charge(write=True)
        self.assertFalse(refused.allowed)
        headers = dict(refused.headers)
        self.assertEqual(headers["x-ms-throttle-information"], "WriteLimitExceeded")
        self.assertEqual(headers["x-ms-throttle-scope"], f"Tenant_Application/Write/{APP}/{TENANT}")
        self.assertEqual(headers["Retry-After"], "50")         # one write per 50 s
        self.assertTrue(self.charge(write=True, now=T0 + 50).allowed)

    def test_a_refused_write_costs_no_resource_units(self) -> None:
        self.throttle.configure(ru_limit=10, write_limit=1)
        self.assertTrue(self.charge(write=True).allowed)
        for _ in range(5):
            self.assertFalse(self.charge(write=True).allowed)
        self.assertTrue(all(self.charge().allowed for _ in range(9)))

    def test_buckets_are_per_app_and_tenant(self) -> None:
        self.throttle.configure(ru_limit=2)
        self.assertTrue(self.charge(2).allowed)
        self.assertFalse(self.charge(1).allowed)
        self.assertTrue(self.charge(2, app="app-2").allowed)
        self.assertTrue(self.charge(2, tenant="tenant-2").allowed)

    def test_configure_resets_and_restores_defaults(self) -> None:
        self.throttle.configure(ru_limit=1)
        self.assertTrue(self.charge().allowed)
        self.assertFalse(self.charge().allowed)
        self.throttle.configure(ru_limit=None, ru_window=None)
        self.assertEqual(self.throttle.effective(2000),
                         {"ru_limit": 8000, "ru_window": 10.0, "write_limit": 3000, "write_window": 150.0})
        self.assertTrue(self.charge().allowed)
        with self.assertRaises(TypeError):
            self.throttle.configure(rulimit=5)

    def test_concurrent_charges_never_exceed_the_limit(self) -> None:
        self.throttle.configure(ru_limit=500, ru_window=1_000_000)
        allowed: list[bool] = []
        lock = threading.Lock()

        def work() -> None:
            results = [self.charge().allowed for _ in range(100)]
            with lock:
                allowed.extend(results)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(allowed.count(True), 500)


if __name__ == "__main__":
    unittest.main()
