"""The generated tenant (in-process): determinism, the variety the app must cope with, roles, revocation state."""
from __future__ import annotations

import os
import re
import sys
import time
import unicodedata
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tenantsim import directory as d  # noqa: E402
from tenantsim.directory import Directory, tokens  # noqa: E402

GUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
FIXED = {
    "helpdesk@contoso.test": ("11111111-1111-4111-8111-000000000001", [d.HELPDESK_ADMIN]),
    "useradmin@contoso.test": ("11111111-1111-4111-8111-000000000002", [d.USER_ADMIN]),
    "admin@contoso.test": ("11111111-1111-4111-8111-000000000003", [d.GLOBAL_ADMIN]),
    "nora@contoso.test": ("11111111-1111-4111-8111-000000000004", []),
    "lost@contoso.test": ("11111111-1111-4111-8111-000000000005", []),
}


class FakeClock:
    def __init__(self, now: float = 1_795_000_000.0) -> None:
        self.t = now

    def now(self) -> float:
        return self.t


def scripts(text: str) -> set[str]:
    """Unicode script-ish names of the letters in text (first word of the character name: LATIN, CJK, GREEK...)."""
    return {unicodedata.name(c, "?").split()[0] for c in text if c.isalpha()}


class DirectoryTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.directory = Directory(2000, 1, FakeClock())
        cls.users = cls.directory.users

    def named(self, upn: str) -> d.User:
        user = self.directory.by_upn(upn)
        self.assertIsNotNone(user, upn)
        return user

    def test_size_and_identifiers(self) -> None:
        self.assertEqual(len(self.directory), 2000)
        self.assertEqual(len({u.id for u in self.users}), 2000)
        self.assertEqual(len({u.user_principal_name.lower() for u in self.users}), 2000)
        for user in self.users:
            if not user.id.startswith("11111111-"):
                self.assertRegex(user.id, GUID_V4)
            self.assertTrue(user.user_principal_name.endswith("@contoso.test"), user.user_principal_name)
            self.assertTrue(user.user_principal_name.isascii(), user.user_principal_name)
            self.assertEqual(user.password, "Passw0rd!")

    def test_same_seed_same_tenant_other_seed_other_tenant(self) -> None:
        again = Directory(2000, 1, FakeClock(0))
        other = Directory(2000, 2, FakeClock())
        same = [(u.id, u.display_name, u.user_principal_name, u.roles, u.created_at, u.account_enabled)
                for u in self.users]
        self.assertEqual(same, [(u.id, u.display_name, u.user_principal_name, u.roles, u.created_at,
                                 u.account_enabled) for u in again.users])
        self.assertNotEqual([u.id for u in self.users[40:]], [u.id for u in other.users[40:]])
        self.assertNotEqual([u.display_name for u in self.users[40:]], [u.display_name for u in other.users[40:]])

    def test_fixed_accounts(self) -> None:
        for upn, (oid, roles) in FIXED.items():
            user = self.named(upn)
            self.assertEqual(user.id, oid)
            self.assertEqual(user.roles, roles)
            self.assertTrue(user.account_enabled)
            self.assertIs(self.directory.by_id(oid), user)
        self.assertEqual(self.named("lost@contoso.test").display_name, "Lou Stone")
        tiny = Directory(0, 1, FakeClock())
        self.assertEqual({u.user_principal_name for u in tiny.users}, set(FIXED))

    def test_names_are_varied(self) -> None:
        names = [u.display_name for u in self.users]
        self.assertTrue(any("'" in n for n in names), "apostrophes")
        self.assertTrue(any(re.search(r"\w-\w", n) for n in names), "hyphens")
        self.assertTrue(any(not n.isascii() and scripts(n) == {"LATIN"} for n in names), "diacritics")
        for script in ("CJK", "HIRAGANA", "GREEK", "CYRILLIC", "ARABIC"):
            self.assertTrue(any(script in scripts(n) for n in names), script)
        for name in ("Zoë Ångström", "José Núñez", "Seán O'Brien", "Emma Smith-Jones", "王伟", "佐藤 花子"):
            self.assertIn(name, names)
        self.assertGreaterEqual(names.count("John Smith"), 3)
        self.assertGreater(len(set(names)), 1000)
        non_latin = [u for u in self.users if "LATIN" not in scripts(u.display_name) and u.display_name.strip()]
        self.assertTrue(non_latin)
        self.assertTrue(all(u.user_principal_name.isascii() for u in non_latin))

    def test_profile_fields(self) -> None:
        members = [u for u in self.users if u.user_type == "Member"]
        self.assertTrue(all(u.given_name or u.user_principal_name.startswith("$") for u in members))
        self.assertGreater(len({u.job_title for u in members}), 10)
        self.assertGreater(len({u.department for u in members}), 5)
        self.assertGreater(len({u.office_location for u in members}), 5)
        disabled = [u for u in self.users if not u.account_enabled]
        self.assertTrue(20 < len(disabled) < 300, len(disabled))

    def test_guests(self) -> None:
        guests = [u for u in self.users if u.user_type == "Guest"]
        self.assertGreater(len(guests), 10)
        for guest in guests:
            local, domain = guest.mail.split("@")
            self.assertNotEqual(domain, "contoso.test")
            self.assertEqual(guest.user_principal_name, f"{local}_{domain}#EXT#@contoso.test")
        self.assertEqual(self.named("ann_fabrikam.com#EXT#@contoso.test").mail, "ann@fabrikam.com")

    def test_exactly_one_dollar_upn(self) -> None:
        dollars = [u.user_principal_name for u in self.users if u.user_principal_name.startswith("$")]
        self.assertEqual(dollars, ["$svc-backup@contoso.test"])

    def test_role_holders(self) -> None:
        holders = {role: [u for u in self.users if role in u.roles] for role in d.ROLE_NAMES}
        self.assertTrue(2 <= len(holders[d.GLOBAL_ADMIN]) <= 6, len(holders[d.GLOBAL_ADMIN]))
        for role in (d.USER_ADMIN, d.HELPDESK_ADMIN, d.PASSWORD_ADMIN, d.AUTH_ADMIN, d.GROUPS_ADMIN,
                     d.DIRECTORY_READERS, d.PRIVILEGED_AUTH_ADMIN):
            self.assertTrue(holders[role], d.ROLE_NAMES[role])
        self.assertTrue(all(u.user_type == "Member" for users in holders.values() for u in users))

    def test_lookups_are_case_insensitive(self) -> None:
        lost = self.named("lost@contoso.test")
        self.assertIs(self.directory.by_upn("LOST@Contoso.Test"), lost)
        self.assertIs(self.directory.by_id(lost.id.upper()), lost)
        self.assertIs(self.directory.by_id_or_upn("Lost@contoso.test"), lost)
        self.assertIsNone(self.directory.by_upn("nobody@contoso.test"))

    def test_authenticate(self) -> None:
        user, error = self.directory.authenticate("Nora@contoso.test", "Passw0rd!")
        self.assertEqual((user.user_principal_name, error), ("nora@contoso.test", None))
        self.assertEqual(self.directory.authenticate("nobody@contoso.test", "Passw0rd!"), (None, 50034))
        self.assertEqual(self.directory.authenticate("nora@contoso.test", "wrong"), (None, 50126))
        self.assertEqual(self.directory.authenticate("former.employee@contoso.test", "Passw0rd!"), (None, 50057))

    def test_may_revoke_follows_the_role_table(self) -> None:
        def person(*roles: str) -> d.User:
            return d.User("id", "Someone", None, None, "x@contoso.test", None, None, None, None, True, "Member",
                          list(roles), "Passw0rd!", None)

        plain, readers, inviter = person(), person(d.DIRECTORY_READERS), person(d.GUEST_INVITER)
        helpdesk, password, auth = person(d.HELPDESK_ADMIN), person(d.PASSWORD_ADMIN), person(d.AUTH_ADMIN)
        useradmin, groups, admin = person(d.USER_ADMIN), person(d.GROUPS_ADMIN), person(d.GLOBAL_ADMIN)
        privileged, security = person(d.PRIVILEGED_AUTH_ADMIN), person(d.SECURITY_ADMIN)
        cases = [
            (helpdesk, plain, True), (helpdesk, readers, True), (helpdesk, person(d.HELPDESK_ADMIN), True),
            (helpdesk, password, True), (helpdesk, person(d.REPORTS_READER, d.MESSAGE_CENTER_READER), True),
            (helpdesk, useradmin, False), (helpdesk, admin, False), (helpdesk, groups, False),
            (helpdesk, auth, False), (helpdesk, person(d.DIRECTORY_READERS, d.SECURITY_ADMIN), False),
            (password, plain, True), (password, inviter, True), (password, person(d.PASSWORD_ADMIN), True),
            (password, helpdesk, False), (password, person(d.REPORTS_READER), False),
            (auth, readers, True), (auth, person(d.AUTH_ADMIN), True), (auth, helpdesk, False),
            (useradmin, helpdesk, True), (useradmin, groups, True), (useradmin, person(d.USER_ADMIN), True),
            (useradmin, auth, False), (useradmin, admin, False), (useradmin, security, False),
            (privileged, admin, True), (admin, privileged, True), (admin, security, True),
            (plain, person(), False), (readers, plain, False), (security, plain, False),
            (person(d.HELPDESK_ADMIN, d.GROUPS_ADMIN), useradmin, False),
            (person(d.HELPDESK_ADMIN, d.USER_ADMIN), groups, True),
        ]
        for number, (caller, target, expected) in enumerate(cases):
            with self.subTest(case=number, caller=caller.roles, target=target.roles):
                self.assertIs(Directory.may_revoke(caller, target), expected)
        self.assertTrue(Directory.may_revoke(plain, plain))     # oneself, without any role

    def test_valid_from_is_creation_then_revocation_in_whole_seconds(self) -> None:
        fresh = Directory(50, 3, FakeClock())
        user = fresh.by_upn("lost@contoso.test")
        self.assertRegex(fresh.valid_from(user), ISO_SECONDS)
        self.assertEqual(fresh.valid_from(user), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(user.created_at)))
        fresh.revoke(user, 1795000000.987)
        self.assertEqual(user.revoked_at, 1795000000.987)
        self.assertEqual(fresh.valid_from(user), "2026-11-18T11:06:40Z")

    def test_delete(self) -> None:
        fresh = Directory(50, 3, FakeClock())
        nora = fresh.by_upn("nora@contoso.test")
        self.assertTrue(fresh.delete(nora.id))
        self.assertFalse(fresh.delete(nora.id))
        self.assertIsNone(fresh.by_upn("nora@contoso.test"))
        self.assertIsNone(fresh.by_id(nora.id))
        self.assertEqual(fresh.authenticate("nora@contoso.test", "Passw0rd!"), (None, 50034))
        self.assertEqual((len(fresh), fresh.deleted_count), (49, 1))

    def test_tokens_split_like_entra(self) -> None:
        self.assertEqual(tokens("ContosoAdmin1"), ["contosoadmin1", "contoso", "admin", "1"])
        self.assertEqual(tokens("HELLOworld"), ["helloworld"])
        self.assertEqual(tokens("HelloWORld"), ["helloworld", "hello", "world"])
        self.assertEqual(tokens("Seán O'Brien"), ["sean", "obrien", "o", "brien"])
        self.assertEqual(tokens("李四(David Li)"), ["李四david", "李四", "david", "li"])
        self.assertEqual(tokens("Zoë Ångström"), ["zoe", "angstrom"])

    def test_search_primitives(self) -> None:
        users = self.users
        smith = {users[p].display_name for p in self.directory.display_name_token("smi")}
        self.assertIn("John Smith", smith)
        self.assertIn("Emma Smith-Jones", smith)
        upns = {users[p].user_principal_name for p in self.directory.value_prefix("userPrincipalName", "john.smith")}
        self.assertTrue({"john.smith@contoso.test", "john.smith2@contoso.test"} <= upns)
        angstrom = {users[p].display_name for p in self.directory.value_prefix("surname", "angs")}
        self.assertIn("Zoë Ångström", angstrom)
        ann = self.directory.value_equals("mail", "ann@fabrikam.com")
        self.assertEqual([users[p].user_principal_name for p in ann], ["ann_fabrikam.com#EXT#@contoso.test"])
        ordered = [users[p].display_name for p in self.directory.ordered("displayName")]
        self.assertEqual(ordered, sorted(ordered, key=d.fold))


class LargeDirectoryTests(unittest.TestCase):
    def test_100k_users_build(self) -> None:
        # How fast is measured by bench/tenant-sim, not asserted here.
        big = Directory(100_000, 1, FakeClock())
        self.assertEqual(len(big), 100_000)
        found = big.display_name_token("jo")
        self.assertGreater(len(found), 1000)


if __name__ == "__main__":
    unittest.main()
