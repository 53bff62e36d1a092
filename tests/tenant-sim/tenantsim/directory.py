"""The simulated tenant's users: deterministic generation from a seed, lookups, search indices, roles, revocation.

Everything here is built once at start-up; the only mutable state is `revoked_at` and deletion.
"""
from __future__ import annotations

import random
import re
import threading
import time
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Protocol

PASSWORD = "Passw0rd!"

# Directory role template ids (the same in every tenant).
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
PRIVILEGED_AUTH_ADMIN = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
PASSWORD_ADMIN = "966707d0-3269-4727-9be2-8c3a10f19b9d"
AUTH_ADMIN = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
GROUPS_ADMIN = "fdd7a751-b60b-444a-984c-02652fe8fa1c"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
GUEST_INVITER = "95e79109-95c0-4d8e-aee3-d01accf2d47b"
MESSAGE_CENTER_READER = "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b"
REPORTS_READER = "4a5d8f65-41da-4de4-8968-e035b65339cf"
USAGE_SUMMARY_READER = "75934031-6c7e-415a-99d7-48dbd49e875e"
PRIVILEGED_ROLE_ADMIN = "e8611ab8-c189-46e8-94e1-60213ab1f814"
SECURITY_ADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d"
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"

ROLE_NAMES = {
    GLOBAL_ADMIN: "Global Administrator",
    PRIVILEGED_AUTH_ADMIN: "Privileged Authentication Administrator",
    USER_ADMIN: "User Administrator",
    HELPDESK_ADMIN: "Helpdesk Administrator",
    PASSWORD_ADMIN: "Password Administrator",
    AUTH_ADMIN: "Authentication Administrator",
    GROUPS_ADMIN: "Groups Administrator",
    DIRECTORY_READERS: "Directory Readers",
    GUEST_INVITER: "Guest Inviter",
    MESSAGE_CENTER_READER: "Message Center Reader",
    REPORTS_READER: "Reports Reader",
    USAGE_SUMMARY_READER: "Usage Summary Reports Reader",
    PRIVILEGED_ROLE_ADMIN: "Privileged Role Administrator",
    SECURITY_ADMIN: "Security Administrator",
    EXCHANGE_ADMIN: "Exchange Administrator",
}

# Which target roles each operator role may act on ("who can reset passwords / invalidate refresh tokens").
_HELPDESK_SCOPE = frozenset({DIRECTORY_READERS, GUEST_INVITER, HELPDESK_ADMIN, MESSAGE_CENTER_READER,
                             PASSWORD_ADMIN, REPORTS_READER, USAGE_SUMMARY_READER})
_MAY_ACT_ON: dict[str, frozenset[str] | None] = {  # None: every user
    HELPDESK_ADMIN: _HELPDESK_SCOPE,
    PASSWORD_ADMIN: frozenset({DIRECTORY_READERS, GUEST_INVITER, PASSWORD_ADMIN}),
    AUTH_ADMIN: (_HELPDESK_SCOPE - {HELPDESK_ADMIN}) | {AUTH_ADMIN},
    USER_ADMIN: _HELPDESK_SCOPE | {GROUPS_ADMIN, USER_ADMIN},
    PRIVILEGED_AUTH_ADMIN: None,
    GLOBAL_ADMIN: None,
}

# Sign-in error codes (AADSTS...).
UNKNOWN_USER = 50034
WRONG_PASSWORD = 50126
ACCOUNT_DISABLED = 50057


class Clock(Protocol):
    def now(self) -> float: ...


@dataclass(slots=True, eq=False)
class User:
    id: str
    display_name: str
    given_name: str | None
    surname: str | None
    user_principal_name: str
    mail: str | None
    job_title: str | None
    department: str | None
    office_location: str | None
    account_enabled: bool
    user_type: str
    roles: list[str]
    password: str
    revoked_at: float | None
    created_at: float = 0.0
    business_phones: list[str] = field(default_factory=list)
    mobile_phone: str | None = None
    preferred_language: str | None = None
    deleted: bool = False


def fold(text: str) -> str:
    """Search key: case-insensitive and accent-insensitive ("Zoë" is found by "zoe", as Entra's search does)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_WORD_PARTS = re.compile(r"[^\W_]+")     # letters and digits; every other character separates


def tokens(text: str) -> list[str]:
    """Folded search tokens the way Entra's directory search splits text: at spaces and symbols, at a change
    from lower to upper case and between letters and digits ("ContosoAdmin1" -> contosoadmin1, contoso, admin, 1),
    keeping each word whole and also joined across symbols ("O'Brien" -> obrien, o, brien)."""
    found: list[str] = []
    for chunk in text.split():
        parts = _WORD_PARTS.findall(chunk)
        if len(parts) > 1:
            found.append(fold("".join(parts)))
        for part in parts:
            found.append(fold(part))
            pieces = _case_pieces(part)
            if len(pieces) > 1:
                found.extend(fold(p) for p in pieces)
    return list(dict.fromkeys(found))


def _case_pieces(word: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for i in range(1, len(word)):
        prev, cur = word[i - 1], word[i]
        if (prev.islower() and cur.isupper()) or (prev.isdigit() != cur.isdigit()):
            pieces.append(word[start:i])
            start = i
    pieces.append(word[start:])
    return pieces


def iso_seconds(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


class PrefixIndex:
    """Folded keys in sorted order (repeating when users share a key) with the user positions alongside:
    a prefix or exact look-up is two bisections and one slice."""

    __slots__ = ("keys", "positions")

    def __init__(self, keys: list[str], positions: list[int]) -> None:
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.keys = [keys[i] for i in order]
        self.positions = [positions[i] for i in order]

    def prefix(self, folded_prefix: str) -> list[int]:
        lo = bisect_left(self.keys, folded_prefix)
        return self.positions[lo:bisect_left(self.keys, folded_prefix + "\U0010ffff", lo)]

    def exact(self, folded_key: str) -> list[int]:
        lo = bisect_left(self.keys, folded_key)
        return self.positions[lo:bisect_right(self.keys, folded_key, lo)]


# ---------------------------------------------------------------------------------------------------------------
# Name material. Non-Latin names carry a Latin transliteration for the UPN: (native, latin).

_ENGLISH_GIVEN = ("John", "Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
                  "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
                  "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Margaret", "Paul", "Sandra",
                  "Steven", "Ashley", "Andrew", "Emily", "Kenneth", "Donna", "Joshua", "Michelle", "Kevin", "Carol",
                  "Brian", "Amanda", "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy",
                  "Rebecca", "Jason", "Laura", "Jeffrey", "Sharon", "Ryan", "Cynthia", "Gary", "Kathleen", "Jacob",
                  "Amy", "Nicholas", "Shirley", "Eric", "Angela", "Seán", "Siobhán", "Niamh", "Aoife", "Ciarán",
                  "Mary-Kate", "Jean-Luc", "Anne-Marie", "D'Andre", "Ann", "Lee", "Jo", "Al", "Ed", "Max")
_ENGLISH_SURNAME = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson",
                    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
                    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker",
                    "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
                    "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
                    "O'Brien", "O'Connor", "O'Neill", "O'Sullivan", "D'Angelo", "McDonald", "MacLeod", "Smith-Jones",
                    "Taylor-Wood", "Lloyd-Webber", "Bell", "Ward", "Cox", "Gray", "Hughes", "Price", "Long", "Foster",
                    "Sanders", "Ross", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Fisher", "Hayes", "Ng")
_ROMANCE_GIVEN = ("José", "María", "João", "Inês", "François", "Hélène", "Chloé", "Zoë", "Renée", "André", "Noël",
                  "Raphaël", "Béatrice", "Jérôme", "Ángel", "Lucía", "Sofía", "Martín", "Ramón", "Begoña", "Álvaro",
                  "Joaquín", "Íñigo", "Luís", "Conceição", "Gonçalo", "Léa", "Anaïs", "Maëlle", "Céline", "Côme",
                  "Giulia", "Niccolò", "Pietro", "Chiara", "Lorenzo")
_ROMANCE_SURNAME = ("García", "Núñez", "Martínez", "Rodríguez", "Pérez", "Sánchez", "Gómez", "Fernández", "López",
                    "Muñoz", "Ibáñez", "Peña", "Gonçalves", "Simões", "Magalhães", "Araújo", "Lefèvre", "Dubois",
                    "Bérénger", "Rousseau", "Girard", "Mercier", "Lemaître", "Du Pont", "De la Cruz", "Van der Berg",
                    "Dell'Acqua", "Esposito", "Bianchi", "Ricci", "Lucchesi")
_NORDIC_GIVEN = ("Jürgen", "Jörg", "Björn", "Søren", "Åsa", "Märta", "Øystein", "Sæmundur", "Þórdís", "Ólafur",
                 "Kristín", "Mikołaj", "Łukasz", "Małgorzata", "Zoë", "Jiří", "Tomáš", "Ružena", "Ákos",
                 "Gerd", "Heike", "Klaus", "Ingrid", "Lars", "Sven", "Katarzyna")
_NORDIC_SURNAME = ("Ångström", "Müller", "Schäfer", "Größer", "Weiß", "Bjørnstad", "Sørensen", "Lindqvist",
                   "Håkansson", "Jónsdóttir", "Þórsson", "Wójcik", "Kowalczyk", "Wiśniewski", "Dvořáková",
                   "Novák", "Szőke", "Nagy", "Østergaard", "Schmidt", "Fischer", "Becker", "Hoffmann", "Krüger")
_CHINESE_SURNAME = (("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
                    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
                    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"))
_CHINESE_GIVEN = (("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("秀英", "Xiuying"), ("敏", "Min"), ("静", "Jing"),
                  ("丽", "Li"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"),
                  ("艳", "Yan"), ("杰", "Jie"), ("娟", "Juan"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"),
                  ("晓明", "Xiaoming"), ("建华", "Jianhua"))
_JAPANESE_SURNAME = (("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"),
                     ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"),
                     ("小林", "Kobayashi"), ("加藤", "Kato"), ("吉田", "Yoshida"), ("山田", "Yamada"))
_JAPANESE_GIVEN = (("花子", "Hanako"), ("太郎", "Taro"), ("陽翔", "Haruto"), ("結衣", "Yui"), ("蓮", "Ren"),
                   ("さくら", "Sakura"), ("健太", "Kenta"), ("美咲", "Misaki"), ("翔太", "Shota"), ("愛", "Ai"),
                   ("ひなた", "Hinata"), ("大輔", "Daisuke"))
_GREEK_GIVEN = (("Γιώργος", "Giorgos"), ("Μαρία", "Maria"), ("Νίκος", "Nikos"), ("Ελένη", "Eleni"),
                ("Δημήτρης", "Dimitris"), ("Αικατερίνη", "Aikaterini"), ("Κώστας", "Kostas"), ("Σοφία", "Sofia"))
_GREEK_SURNAME = (("Παπαδόπουλος", "Papadopoulos"), ("Παπαγεωργίου", "Papageorgiou"), ("Οικονόμου", "Oikonomou"),
                  ("Βασιλείου", "Vasileiou"), ("Αντωνίου", "Antoniou"), ("Γεωργίου", "Georgiou"))
_CYRILLIC_GIVEN = (("Дмитрий", "Dmitry"), ("Анна", "Anna"), ("Сергей", "Sergey"), ("Ольга", "Olga"),
                   ("Алексей", "Alexey"), ("Наталья", "Natalya"), ("Иван", "Ivan"), ("Екатерина", "Ekaterina"),
                   ("Олександр", "Oleksandr"), ("Юлія", "Yuliia"))
_CYRILLIC_SURNAME = (("Иванов", "Ivanov"), ("Смирнов", "Smirnov"), ("Кузнецова", "Kuznetsova"),
                     ("Попов", "Popov"), ("Соколова", "Sokolova"), ("Шевченко", "Shevchenko"),
                     ("Коваленко", "Kovalenko"), ("Петров", "Petrov"), ("Волкова", "Volkova"))
_ARABIC_GIVEN = (("محمد", "Mohammed"), ("فاطمة", "Fatima"), ("أحمد", "Ahmed"), ("مريم", "Maryam"),
                 ("علي", "Ali"), ("نور", "Nour"), ("يوسف", "Youssef"), ("ليلى", "Layla"), ("عمر", "Omar"))
_ARABIC_SURNAME = (("العلي", "Al-Ali"), ("حداد", "Haddad"), ("الخطيب", "Al-Khatib"), ("منصور", "Mansour"),
                   ("الحسن", "Al-Hassan"), ("عبدالله", "Abdullah"), ("سالم", "Salem"), ("ناصر", "Nasser"))
_INDIAN_GIVEN = ("Priya", "Rahul", "Ananya", "Arjun", "Saanvi", "Vikram", "Lakshmi", "Rohan", "Deepika", "Aditya")
_INDIAN_SURNAME = ("Sharma", "Patel", "Reddy", "Iyer", "Gupta", "Nair", "Das", "Singh", "Kumar", "Chatterjee")

_JOB_TITLES = ("Sales Associate", "Account Manager", "Software Engineer", "Senior Software Engineer",
               "Product Manager", "Marketing Specialist", "Financial Analyst", "Accountant", "HR Generalist",
               "Recruiter", "Support Engineer", "Field Engineer", "Project Manager", "Business Analyst",
               "Data Scientist", "Designer", "Legal Counsel", "Office Manager", "Executive Assistant",
               "Operations Manager", "Warehouse Associate", "Buyer", "Quality Engineer", "Technician",
               "Director", "Vice President", "Intern", "Consultant", "Nurse", "Teacher")
_DEPARTMENTS = ("Sales", "Marketing", "Engineering", "Research & Development", "Finance", "Human Resources",
                "Legal", "Operations", "Customer Support", "IT", "Facilities", "Procurement", "Logistics",
                "Executive", "Quality Assurance", "Product")
_OFFICES = ("Seattle 1/1021", "Redmond 18/2111", "New York 5th Ave", "London Paddington", "Dublin Docklands",
            "Paris La Défense", "München Schwabing", "São Paulo Paulista", "Tokyo Shinagawa", "Shanghai Pudong",
            "Athens Marousi", "Dubai Internet City", "Bengaluru Whitefield", "Sydney Barangaroo", "Remote")
_GUEST_DOMAINS = ("fabrikam.com", "northwindtraders.com", "adatum.com", "tailspintoys.com", "woodgrovebank.com",
                  "outlook.com", "gmail.com")

# Cultures: (weight, given pool, surname pool, family name first, separator, preferred language).
_CULTURES = (
    (48, _ENGLISH_GIVEN, _ENGLISH_SURNAME, False, " ", "en-US"),
    (12, _ROMANCE_GIVEN, _ROMANCE_SURNAME, False, " ", "es-ES"),
    (10, _NORDIC_GIVEN, _NORDIC_SURNAME, False, " ", "de-DE"),
    (6, _CHINESE_GIVEN, _CHINESE_SURNAME, True, "", "zh-CN"),
    (5, _JAPANESE_GIVEN, _JAPANESE_SURNAME, True, " ", "ja-JP"),
    (3, _GREEK_GIVEN, _GREEK_SURNAME, False, " ", "el-GR"),
    (5, _CYRILLIC_GIVEN, _CYRILLIC_SURNAME, False, " ", "ru-RU"),
    (4, _ARABIC_GIVEN, _ARABIC_SURNAME, False, " ", "ar-AE"),
    (7, _INDIAN_GIVEN, _INDIAN_SURNAME, False, " ", "en-IN"),
)
_CULTURE_CHOICES = [c for c in _CULTURES for _ in range(c[0])]

_LATIN_SPECIAL = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "Ae", "þ": "th",
                                "Þ": "Th", "ð": "d", "Ð": "D", "đ": "d", "œ": "oe"})
_UPN_DROP = str.maketrans("", "", " -")

# Creation times fall in [2019-01-01, 2026-06-01) so valid-from is in the past for any sensible clock.
_CREATED_FROM = 1546300800
_CREATED_SPAN = 1780272000 - _CREATED_FROM


def _ascii_local(name: str) -> str:
    """A UPN local part from a Latin name: accents dropped, spaces and hyphens removed, apostrophes kept."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LATIN_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UPN_DROP).lower()


@dataclass(frozen=True)
class _Seed:
    """A hand-written account: the fixed ones and the ones that guarantee variety at any seed."""
    upn: str
    display: str
    given: str | None
    surname: str | None
    title: str | None = None
    department: str | None = None
    roles: tuple[str, ...] = ()
    oid: str | None = None
    enabled: bool = True
    guest_mail: str | None = None
    mail: bool = True


_FIXED = (
    _Seed("helpdesk@contoso.test", "Hal Desmond", "Hal", "Desmond", "Helpdesk Operator", "IT", (HELPDESK_ADMIN,),
          "11111111-1111-4111-8111-000000000001"),
    _Seed("useradmin@contoso.test", "Uma Adler", "Uma", "Adler", "Identity Administrator", "IT", (USER_ADMIN,),
          "11111111-1111-4111-8111-000000000002"),
    _Seed("admin@contoso.test", "Ada Minter", "Ada", "Minter", "IT Director", "IT", (GLOBAL_ADMIN,),
          "11111111-1111-4111-8111-000000000003"),
    _Seed("nora@contoso.test", "Nora Lind", "Nora", "Lind", "Sales Associate", "Sales", (),
          "11111111-1111-4111-8111-000000000004"),
    _Seed("lost@contoso.test", "Lou Stone", "Lou", "Stone", "Field Engineer", "Operations", (),
          "11111111-1111-4111-8111-000000000005"),
)

_VARIETY = (
    _Seed("john.smith@contoso.test", "John Smith", "John", "Smith", "Account Manager", "Sales"),
    _Seed("john.smith2@contoso.test", "John Smith", "John", "Smith", "Software Engineer", "Engineering"),
    _Seed("john.smith3@contoso.test", "John Smith", "John", "Smith", "Buyer", "Procurement", enabled=False),
    _Seed("jsmith@contoso.test", "John Smith", "John", "Smith", "Consultant", "Operations"),
    _Seed("sean.o'brien@contoso.test", "Seán O'Brien", "Seán", "O'Brien", "Financial Analyst", "Finance"),
    _Seed("mary.obrien@contoso.test", "Mary O'Brien", "Mary", "O'Brien", "Recruiter", "Human Resources"),
    _Seed("jose.nunez@contoso.test", "José Núñez", "José", "Núñez", "Designer", "Marketing"),
    _Seed("zoe.angstrom@contoso.test", "Zoë Ångström", "Zoë", "Ångström", "Data Scientist",
          "Research & Development"),
    _Seed("emma.smith-jones@contoso.test", "Emma Smith-Jones", "Emma", "Smith-Jones", "Legal Counsel", "Legal"),
    _Seed("wang.wei@contoso.test", "王伟", "伟", "王", "Quality Engineer", "Quality Assurance"),
    _Seed("sato.hanako@contoso.test", "佐藤 花子", "花子", "佐藤", "Product Manager", "Product"),
    _Seed("giorgos.papadopoulos@contoso.test", "Γιώργος Παπαδόπουλος", "Γιώργος", "Παπαδόπουλος",
          "Operations Manager", "Operations"),
    _Seed("dmitry.ivanov@contoso.test", "Дмитрий Иванов", "Дмитрий", "Иванов", "Support Engineer",
          "Customer Support"),
    _Seed("mohammed.alali@contoso.test", "محمد العلي", "محمد", "العلي", "Accountant", "Finance"),
    _Seed("$svc-backup@contoso.test", "Backup Service", None, None, None, "IT", mail=False),
    _Seed("ann_fabrikam.com#EXT#@contoso.test", "Ann Lindqvist", "Ann", "Lindqvist", guest_mail="ann@fabrikam.com"),
    _Seed("bob.quote@contoso.test", 'Bob "The Builder" Quinn', "Bob", "Quinn", "Technician", "Facilities"),
    _Seed("back.slash@contoso.test", "Back\\Slash Tester", "Back\\Slash", "Tester", "Intern", "IT"),
    _Seed("former.employee@contoso.test", "Former Employee", "Former", "Employee", enabled=False),
    _Seed("grace.hopper@contoso.test", "Grace Hopper", "Grace", "Hopper", "Vice President", "Engineering",
          (GLOBAL_ADMIN,)),
    _Seed("pat.auth@contoso.test", "Pat Kowalski", "Pat", "Kowalski", "Security Engineer", "IT",
          (PRIVILEGED_AUTH_ADMIN,)),
    _Seed("priv.roles@contoso.test", "Rita Rolle", "Rita", "Rolle", "Security Architect", "IT",
          (PRIVILEGED_ROLE_ADMIN,)),
    _Seed("helen.help@contoso.test", "Helen Park", "Helen", "Park", "Helpdesk Operator", "IT", (HELPDESK_ADMIN,)),
    _Seed("pw.admin@contoso.test", "Paul Word", "Paul", "Word", "Helpdesk Operator", "IT", (PASSWORD_ADMIN,)),
    _Seed("auth.admin@contoso.test", "Aurora Thorne", "Aurora", "Thorne", "Identity Engineer", "IT", (AUTH_ADMIN,)),
    _Seed("groups.admin@contoso.test", "Gus Grouper", "Gus", "Grouper", "Collaboration Lead", "IT",
          (GROUPS_ADMIN,)),
    _Seed("reader@contoso.test", "Dora Reeder", "Dora", "Reeder", "Auditor", "Finance", (DIRECTORY_READERS,)),
)

# Extra random role holders per 1,000 generated users (at least one each), so the role table matters at any size.
_ROLE_DENSITY = ((GLOBAL_ADMIN, 0.3), (USER_ADMIN, 1.0), (HELPDESK_ADMIN, 3.0), (PASSWORD_ADMIN, 1.0),
                 (AUTH_ADMIN, 1.0), (GROUPS_ADMIN, 1.0), (DIRECTORY_READERS, 2.0), (REPORTS_READER, 1.0),
                 (SECURITY_ADMIN, 0.5), (EXCHANGE_ADMIN, 0.5), (GUEST_INVITER, 0.5), (MESSAGE_CENTER_READER, 0.5))


class Directory:
    tenant_id = "eab3a016-fcf8-474d-95ca-6878c36cb3b2"
    domain = "contoso.test"
    display_name = "Contoso (demo)"

    def __init__(self, users: int, seed: int, clock: Clock) -> None:
        # The clock is not read: creation times are fixed, so a seed always gives the same tenant.
        self._lock = threading.Lock()
        self.deleted_count = 0          # deleted users stay in `users` (positions are stable) with deleted=True
        self.users: list[User] = _generate(max(users, len(_FIXED)), seed)
        self._by_id = {u.id: u for u in self.users}
        self._by_upn = {u.user_principal_name.lower(): u for u in self.users}
        self._build_indices()

    # -- look-ups --------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._by_id)

    def by_id(self, oid: str) -> User | None:
        return self._by_id.get(oid.lower())

    def by_upn(self, upn: str) -> User | None:
        return self._by_upn.get(upn.lower())

    def by_id_or_upn(self, key: str) -> User | None:
        return self._by_id.get(key.lower()) or self._by_upn.get(key.lower())

    def authenticate(self, login: str, password: str) -> tuple[User | None, int | None]:
        user = self.by_upn(login.strip())
        if user is None:
            return None, UNKNOWN_USER
        if password != user.password:
            return None, WRONG_PASSWORD
        if not user.account_enabled:
            return None, ACCOUNT_DISABLED
        return user, None

    # -- state -----------------------------------------------------------------------------------------------
    def revoke(self, user: User, now: float) -> None:
        user.revoked_at = now

    def delete(self, oid: str) -> bool:
        with self._lock:
            user = self._by_id.pop(oid.lower(), None)
            if user is None:
                return False
            del self._by_upn[user.user_principal_name.lower()]
            user.deleted = True
            self.deleted_count += 1
            return True

    def valid_from(self, user: User) -> str:
        return iso_seconds(user.revoked_at if user.revoked_at is not None else user.created_at)

    @staticmethod
    def may_revoke(caller: User, target: User) -> bool:
        """The role table: may this operator invalidate the target's sessions?"""
        if caller is target:
            return True
        scopes = [_MAY_ACT_ON[r] for r in caller.roles if r in _MAY_ACT_ON]
        if not scopes:
            return False
        if any(scope is None for scope in scopes):
            return True
        allowed = frozenset().union(*scopes)
        return all(r in allowed for r in target.roles)

    # -- search primitives (positions into self.users; callers drop deleted users) -------------------------
    def display_name_token(self, folded_token: str) -> list[int]:
        """Users whose displayName has a search token starting with this folded token (positions may repeat)."""
        return self._display_tokens.prefix(folded_token)

    def value_prefix(self, prop: str, folded_prefix: str) -> list[int]:
        """Users whose whole `prop` value (a Graph property name) starts with the folded prefix."""
        return self._values(prop).prefix(folded_prefix)

    def value_equals(self, prop: str, folded_value: str) -> list[int]:
        return self._values(prop).exact(folded_value)

    def ordered(self, prop: str, descending: bool = False) -> list[int]:
        """Positions of the users with a `prop` value, ordered by the folded value."""
        positions = self._values(prop).positions
        return positions[::-1] if descending else positions

    def sort(self, positions: Iterable[int], prop: str, descending: bool = False) -> list[int]:
        rank = self._ranks.get(prop)
        if rank is None:   # built once per property; two threads racing here only repeat the work
            rank = [len(self.users)] * len(self.users)
            for order, position in enumerate(self._values(prop).positions):
                rank[position] = order
            self._ranks[prop] = rank
        return sorted(positions, key=rank.__getitem__, reverse=descending)

    def _values(self, prop: str) -> PrefixIndex:
        index = self._value_index.get(prop)
        if index is None:
            with self._lock:  # built on first use, except for the usual search properties
                index = self._value_index.get(prop)
                if index is None:
                    index = self._value_index[prop] = _value_index(self.users, _ATTRIBUTES[prop])
        return index

    def _build_indices(self) -> None:
        self._display_tokens = _token_index(self.users)
        self._value_index: dict[str, PrefixIndex] = {}
        self._ranks: dict[str, list[int]] = {}
        for prop in ("userPrincipalName", "mail", "displayName"):
            self._values(prop)


def _value_index(users: list[User], attr: str) -> PrefixIndex:
    keys: list[str] = []
    positions: list[int] = []
    folded: dict[str, str] = {}  # non-ASCII values repeat (names): fold each distinct one once
    for i, user in enumerate(users):
        value = getattr(user, attr)
        if value is None:
            continue
        if value.isascii():
            keys.append(value.lower())
        else:
            key = folded.get(value)
            if key is None:
                key = folded[value] = fold(value)
            keys.append(key)
        positions.append(i)
    return PrefixIndex(keys, positions)


def _token_index(users: list[User]) -> PrefixIndex:
    by_name: dict[str, list[int]] = {}
    for i, user in enumerate(users):
        bucket = by_name.get(user.display_name)
        if bucket is None:
            by_name[user.display_name] = [i]
        else:
            bucket.append(i)
    keys: list[str] = []
    positions: list[int] = []
    for name, holders in by_name.items():  # names repeat: tokenize each distinct one once
        for token in tokens(name):
            keys.extend([token] * len(holders))
            positions.extend(holders)
    return PrefixIndex(keys, positions)


# Graph property name -> User attribute, for the string properties that can be searched or filtered.
_ATTRIBUTES = {
    "displayName": "display_name", "givenName": "given_name", "surname": "surname",
    "userPrincipalName": "user_principal_name", "mail": "mail", "jobTitle": "job_title",
    "department": "department", "officeLocation": "office_location", "userType": "user_type",
    "id": "id", "mobilePhone": "mobile_phone", "preferredLanguage": "preferred_language",
}
SEARCHABLE = frozenset(_ATTRIBUTES)


def _generate(count: int, seed: int) -> list[User]:
    rng = random.Random(seed)
    rand = rng.random
    taken_ids: set[str] = set()
    taken_upns: set[str] = set()
    users: list[User] = []

    def new_id() -> str:
        while True:
            bits = (rng.getrandbits(128) & ~(0xF << 76) & ~(0x3 << 62)) | (0x4 << 76) | (0x2 << 62)
            h = "%032x" % bits
            oid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
            if oid not in taken_ids:
                taken_ids.add(oid)
                return oid

    def created() -> float:
        return float(_CREATED_FROM + int(rand() * _CREATED_SPAN))

    def phone() -> str:
        return "+1 425 555 %04d" % int(rand() * 10000)

    for s in (_FIXED + _VARIETY)[:count]:
        guest = s.guest_mail is not None
        oid = s.oid or new_id()
        taken_ids.add(oid)
        taken_upns.add(s.upn.lower())
        users.append(User(
            id=oid, display_name=s.display, given_name=s.given, surname=s.surname, user_principal_name=s.upn,
            mail=s.guest_mail if guest else (s.upn if s.mail else None), job_title=s.title, department=s.department,
            office_location=None if guest else _OFFICES[len(users) % len(_OFFICES)], account_enabled=s.enabled,
            user_type="Guest" if guest else "Member", roles=list(s.roles), password=PASSWORD, revoked_at=None,
            created_at=created(), business_phones=[] if guest else [phone()],
            preferred_language=None if guest else "en-US"))

    # Names repeat (that is realistic); caching their derived forms keeps 100,000 users within a second or two.
    names: dict[tuple[int, int, int, int], tuple[str, str, str, str, str]] = {}
    next_suffix: dict[str, int] = {}
    cultures = _CULTURE_CHOICES
    for _ in range(count - len(users)):
        culture = cultures[int(rand() * len(cultures))]
        givens, surnames = culture[1], culture[2]
        roll = rand()
        key = (id(givens), int(rand() * len(givens)), int(rand() * len(surnames)),
               int(rand() * 26) if roll < 0.04 and not culture[3] else -1)  # a middle initial now and then
        name = names.get(key)
        if name is None:
            name = names[key] = _name(culture, *key[1:])
        given, surname, display, local, language = name
        guest = 0.04 <= roll < 0.07
        domain = _GUEST_DOMAINS[int(rand() * len(_GUEST_DOMAINS))] if guest else ""
        base = f"{local}_{domain}" if guest else local
        n = next_suffix.get(base, 1)
        while True:
            numbered = local if n == 1 else f"{local}{n}"
            upn = f"{numbered}_{domain}#EXT#@contoso.test" if guest else f"{numbered}@contoso.test"
            if upn.lower() not in taken_upns:
                break
            n += 1
        next_suffix[base] = n + 1
        taken_upns.add(upn.lower())
        if guest:
            users.append(User(new_id(), display, given, surname, upn, f"{numbered}@{domain}", None, None, None,
                              rand() >= 0.05, "Guest", [], PASSWORD, None, created()))
        else:
            users.append(User(
                new_id(), display, given, surname, upn, None if roll > 0.985 else upn,  # a few without a mailbox
                _JOB_TITLES[int(rand() * len(_JOB_TITLES))], _DEPARTMENTS[int(rand() * len(_DEPARTMENTS))],
                _OFFICES[int(rand() * len(_OFFICES))], rand() >= 0.05, "Member", [], PASSWORD, None, created(),
                [phone()], phone() if rand() < 0.3 else None, language))

    _assign_roles(users, rng, first_random=len(_FIXED) + len(_VARIETY))
    return users


def _name(culture: tuple, given_at: int, surname_at: int, initial: int) -> tuple[str, str, str, str, str]:
    """(given, surname, displayName, UPN local part, preferred language) for one pick from a culture's pools."""
    _, givens, surnames, family_first, sep, language = culture
    given, surname = givens[given_at], surnames[surname_at]
    if isinstance(given, tuple):
        (given, given_latin), (surname, surname_latin) = given, surname
    else:
        given_latin, surname_latin = given, surname
    if family_first:
        display = f"{surname}{sep}{given}"
    elif initial >= 0:
        display = f"{given} {chr(65 + initial)}. {surname}"
    else:
        display = f"{given} {surname}"
    return given, surname, display, f"{_ascii_local(given_latin)}.{_ascii_local(surname_latin)}", language


def _assign_roles(users: list[User], rng: random.Random, first_random: int) -> None:
    candidates = [u for u in users[first_random:] if u.user_type == "Member"]
    if not candidates:
        return
    generated = len(users) - first_random
    for role, per_thousand in _ROLE_DENSITY:
        for _ in range(max(1, round(generated * per_thousand / 1000))):
            holder = rng.choice(candidates)
            if role not in holder.roles:
                holder.roles.append(role)
