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


# Approximate latitude and longitude (degrees north, east) of each district's headquarters town, to two
# decimals, from general geographic knowledge (no map data is shipped: the portal runs offline). They
# place districts on the schematic tile map of the reports (portal/reports/district_map.py); they are not
# survey data and are not meant for distances.
HEADQUARTERS: dict[str, tuple[float, float]] = {
    "barguna": (22.15, 90.12), "barishal": (22.70, 90.37), "bhola": (22.69, 90.65), "jhalokati": (22.64, 90.20),
    "patuakhali": (22.36, 90.33), "pirojpur": (22.58, 89.98),
    "bandarban": (22.20, 92.22), "brahmanbaria": (23.96, 91.11), "chandpur": (23.23, 90.67),
    "chattogram": (22.36, 91.78), "coxs-bazar": (21.43, 92.01), "cumilla": (23.46, 91.18), "feni": (23.02, 91.40),
    "khagrachhari": (23.12, 91.98), "lakshmipur": (22.94, 90.83), "noakhali": (22.87, 91.10),
    "rangamati": (22.65, 92.18),
    "dhaka": (23.81, 90.41), "faridpur": (23.61, 89.84), "gazipur": (24.00, 90.42), "gopalganj": (23.01, 89.83),
    "kishoreganj": (24.44, 90.78), "madaripur": (23.17, 90.19), "manikganj": (23.86, 90.00),
    "munshiganj": (23.54, 90.53), "narayanganj": (23.62, 90.50), "narsingdi": (23.92, 90.72),
    "rajbari": (23.76, 89.64), "shariatpur": (23.21, 90.35), "tangail": (24.25, 89.92),
    "bagerhat": (22.65, 89.79), "chuadanga": (23.64, 88.84), "jashore": (23.17, 89.21), "jhenaidah": (23.54, 89.17),
    "khulna": (22.82, 89.55), "kushtia": (23.90, 89.12), "magura": (23.49, 89.42), "meherpur": (23.76, 88.63),
    "narail": (23.17, 89.50), "satkhira": (22.72, 89.07),
    "jamalpur": (24.92, 89.95), "mymensingh": (24.75, 90.41), "netrokona": (24.87, 90.73), "sherpur": (25.02, 90.02),
    "bogura": (24.85, 89.37), "chapainawabganj": (24.60, 88.27), "joypurhat": (25.10, 89.02),
    "naogaon": (24.81, 88.93), "natore": (24.41, 88.99), "pabna": (24.01, 89.24), "rajshahi": (24.37, 88.60),
    "sirajganj": (24.45, 89.70),
    "dinajpur": (25.63, 88.64), "gaibandha": (25.33, 89.53), "kurigram": (25.81, 89.64),
    "lalmonirhat": (25.91, 89.45), "nilphamari": (25.93, 88.86), "panchagarh": (26.34, 88.55),
    "rangpur": (25.75, 89.25), "thakurgaon": (26.03, 88.46),
    "habiganj": (24.37, 91.42), "moulvibazar": (24.48, 91.77), "sunamganj": (25.07, 91.40), "sylhet": (24.90, 91.87),
}

assert set(HEADQUARTERS) == set(BY_CODE), "a headquarters position for every district"
