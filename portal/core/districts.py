"""The 64 districts of Bangladesh with their divisions, in English and Bangla."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    """One district: a stable code (slug), names and its division."""

    code: str
    name: str
    name_bn: str
    division: str
    division_bn: str


_DIVISIONS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("Barishal", "বরিশাল"): [
        ("Barguna", "বরগুনা"), ("Barishal", "বরিশাল"), ("Bhola", "ভোলা"), ("Jhalokati", "ঝালকাঠি"),
        ("Patuakhali", "পটুয়াখালী"), ("Pirojpur", "পিরোজপুর"),
    ],
    ("Chattogram", "চট্টগ্রাম"): [
        ("Bandarban", "বান্দরবান"), ("Brahmanbaria", "ব্রাহ্মণবাড়িয়া"), ("Chandpur", "চাঁদপুর"),
        ("Chattogram", "চট্টগ্রাম"), ("Cox's Bazar", "কক্সবাজার"), ("Cumilla", "কুমিল্লা"), ("Feni", "ফেনী"),
        ("Khagrachhari", "খাগড়াছড়ি"), ("Lakshmipur", "লক্ষ্মীপুর"), ("Noakhali", "নোয়াখালী"),
        ("Rangamati", "রাঙ্গামাটি"),
    ],
    ("Dhaka", "ঢাকা"): [
        ("Dhaka", "ঢাকা"), ("Faridpur", "ফরিদপুর"), ("Gazipur", "গাজীপুর"), ("Gopalganj", "গোপালগঞ্জ"),
        ("Kishoreganj", "কিশোরগঞ্জ"), ("Madaripur", "মাদারীপুর"), ("Manikganj", "মানিকগঞ্জ"),
        ("Munshiganj", "মুন্সীগঞ্জ"), ("Narayanganj", "নারায়ণগঞ্জ"), ("Narsingdi", "নরসিংদী"),
        ("Rajbari", "রাজবাড়ী"), ("Shariatpur", "শরীয়তপুর"), ("Tangail", "টাঙ্গাইল"),
    ],
    ("Khulna", "খুলনা"): [
        ("Bagerhat", "বাগেরহাট"), ("Chuadanga", "চুয়াডাঙ্গা"), ("Jashore", "যশোর"), ("Jhenaidah", "ঝিনাইদহ"),
        ("Khulna", "খুলনা"), ("Kushtia", "কুষ্টিয়া"), ("Magura", "মাগুরা"), ("Meherpur", "মেহেরপুর"),
        ("Narail", "নড়াইল"), ("Satkhira", "সাতক্ষীরা"),
    ],
    ("Mymensingh", "ময়মনসিংহ"): [
        ("Jamalpur", "জামালপুর"), ("Mymensingh", "ময়মনসিংহ"), ("Netrokona", "নেত্রকোনা"), ("Sherpur", "শেরপুর"),
    ],
    ("Rajshahi", "রাজশাহী"): [
        ("Bogura", "বগুড়া"), ("Chapainawabganj", "চাঁপাইনবাবগঞ্জ"), ("Joypurhat", "জয়পুরহাট"),
        ("Naogaon", "নওগাঁ"), ("Natore", "নাটোর"), ("Pabna", "পাবনা"), ("Rajshahi", "রাজশাহী"),
        ("Sirajganj", "সিরাজগঞ্জ"),
    ],
    ("Rangpur", "রংপুর"): [
        ("Dinajpur", "দিনাজপুর"), ("Gaibandha", "গাইবান্ধা"), ("Kurigram", "কুড়িগ্রাম"),
        ("Lalmonirhat", "লালমনিরহাট"), ("Nilphamari", "নীলফামারী"), ("Panchagarh", "পঞ্চগড়"),
        ("Rangpur", "রংপুর"), ("Thakurgaon", "ঠাকুরগাঁও"),
    ],
    ("Sylhet", "সিলেট"): [
        ("Habiganj", "হবিগঞ্জ"), ("Moulvibazar", "মৌলভীবাজার"), ("Sunamganj", "সুনামগঞ্জ"), ("Sylhet", "সিলেট"),
    ],
}

# Older spellings still found in the programme's Excel lists.
_ALIASES = {
    "barisal": "barishal", "chittagong": "chattogram", "comilla": "cumilla", "jessore": "jashore",
    "bogra": "bogura", "chapai-nawabganj": "chapainawabganj", "nawabganj": "chapainawabganj",
    "jhalakati": "jhalokati", "jhalakathi": "jhalokati", "netrakona": "netrokona",
    "maulvibazar": "moulvibazar", "moulvi-bazar": "moulvibazar", "laxmipur": "lakshmipur",
    "lakshmipur": "lakshmipur", "khagrachari": "khagrachhari", "coxsbazar": "coxs-bazar",
    "cox-bazar": "coxs-bazar", "narshingdi": "narsingdi", "kishorganj": "kishoreganj",
    "brahmanbaria": "brahmanbaria", "b-baria": "brahmanbaria", "munshigonj": "munshiganj",
}


def slugify(name: str) -> str:
    """Lower-case ASCII code for a district name ("Cox's Bazar" -> "coxs-bazar")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")


DISTRICTS: tuple[District, ...] = tuple(
    District(slugify(name), name, name_bn, division, division_bn)
    for (division, division_bn), districts in _DIVISIONS.items()
    for name, name_bn in districts
)
BY_CODE: dict[str, District] = {d.code: d for d in DISTRICTS}
_LOOKUP: dict[str, str] = {
    **{d.code: d.code for d in DISTRICTS},
    **{d.name_bn: d.code for d in DISTRICTS},
    **_ALIASES,
}
DIVISIONS: tuple[str, ...] = tuple(division for division, _ in _DIVISIONS)

assert len(DISTRICTS) == 64, "Bangladesh has 64 districts"


def find_district(text: str | None) -> District | None:
    """The district named by a code, English name (old spellings too) or Bangla name."""
    if not text:
        return None
    text = text.strip()
    code = _LOOKUP.get(text) or _LOOKUP.get(slugify(text)) or _LOOKUP.get(slugify(text).replace("-", ""))
    if code is None and slugify(text).endswith("-district"):
        code = _LOOKUP.get(slugify(text).removesuffix("-district"))
    return BY_CODE.get(code) if code else None


def district_name(code: str | None, lang: str = "en") -> str:
    """The name for a code in English (or in Bangla with lang="bn"), or the code itself when unknown
    (never raises in templates)."""
    district = BY_CODE.get(code or "")
    if district is None:
        return code or ""
    return district.name_bn if lang == "bn" else district.name


def districts_in(scope: tuple[str, ...] | None) -> tuple[District, ...]:
    """The districts a form may offer someone limited to `scope` (every district for None), in list order."""
    if scope is None:
        return DISTRICTS
    return tuple(d for d in DISTRICTS if d.code in scope)
