"""The values people write in their lists, and the codes the portal keeps.

A district office writes a woman's gender as `F`, `Female`, `মহিলা` or `নারী`, a government officer's
stakeholder type as `Govt.`, `GO` or `Government`, a district as `Chittagong`, `চট্টগ্রাম` or the
upazila `Hathazari`. `resolve(field, text)` turns such a cell into the code the participant form
accepts, from the synonyms built in here; a value it does not know is None, and the import's preview
asks once per distinct value what it means (remembered in `ImportValueMapping` for the next file).

Matching is on `norm(text)`: lower case, punctuation and repeated spaces dropped, Bangla letters and
their vowel signs kept (they are not `isalnum`, so a plain alphanumeric filter breaks Bangla words).
"""

from __future__ import annotations

import functools
import unicodedata

from portal.core.districts import DISTRICTS, find_district, slugify
from portal.core.i18n import LANGUAGES, N_, translate
from portal.core.vocab import GENDERS, STAKEHOLDER_TYPES

# The labels of the choices in the value-mapping step, for `make i18n-extract` (core.vocab keeps them in English).
VOCABULARY_LABELS = (
    N_("Female"), N_("Male"), N_("Third gender (hijra)"), N_("Not stated"), N_("Government"),
    N_("Civil society (CSO)"), N_("Returnee migrant"), N_("Returnee family member"), N_("Private sector"),
    N_("NGO / partner"), N_("Programme staff"), N_("Other"),
)

_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def bangla_to_ascii_digits(text: str) -> str:
    """"০১৭১১" -> "01711"."""
    return text.translate(_BANGLA_DIGITS)


def norm(text: str) -> str:
    """Lower case, letters (with Bangla vowel signs), digits and single spaces only."""
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text.casefold())
    return " ".join(kept.split())


def _table(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm(word): code for code, words in pairs.items() for word in words}


GENDER_SYNONYMS = _table({
    "female": ("f", "female", "woman", "women", "w", "fem", "mahila", "nari", "মহিলা", "নারী", "মহিলা ",
    "স্ত্রী", "স্ত্রীলিঙ্গ", "মেয়ে",),
    "male": ("m", "male", "man", "men", "purush", "পুরুষ", "পুং", "পুংলিঙ্গ", "ছেলে"),
    "third_gender": ("third gender", "3rd gender", "hijra", "hijrah", "hijda", "হিজড়া", "হিজরা",
    "তৃতীয় লিঙ্গ", "তৃতীয় লিংগ", "tg", "transgender", "other", "others", "অন্যান্য"),
    "undisclosed": ("", "not stated", "n a", "na", "prefer not to say", "unknown", "-", "জানা নেই"),
})

STAKEHOLDER_SYNONYMS = _table({
    "government": ("government", "govt", "govt.", "gov", "go", "gob", "government official", "govt officer",
    "govt official", "government officer", "public", "public sector", "local government", "lgi",
    "local govt", "union parishad", "up", "upazila parishad", "dc office", "uno", "bmet", "demo",
    "tto", "সরকারি", "সরকারী", "সরকার", "স্থানীয় সরকার", "সরকারি কর্মকর্তা", "ইউনিয়ন পরিষদ"),
    "cso": ("cso", "civil society", "civil society organisation", "civil society organization", "cbo",
    "community", "media", "journalist", "press", "academic", "academia", "teacher", "সুশীল সমাজ",
    "নাগরিক সমাজ", "গণমাধ্যম", "সাংবাদিক", "সিএসও"),
    "returnee": ("returnee", "returnee migrant", "returned migrant", "return migrant", "returnees", "migrant",
    "migrant worker", "aspirant migrant", "potential migrant", "প্রত্যাগত", "প্রত্যাগত অভিবাসী",
    "ফেরত অভিবাসী", "অভিবাসী", "বিদেশফেরত", "বিদেশ ফেরত"),
    "returnee_family": ("returnee family", "returnee family member", "migrant family", "family member",
    "family of migrant", "migrant family member", "left behind family", "অভিবাসী পরিবার",
    "প্রত্যাগত পরিবার", "পরিবারের সদস্য"),
    "private_sector": ("private sector", "private", "business", "recruiting agency", "recruitment agency",
    "ra", "baira", "employer", "company", "বেসরকারি খাত", "ব্যবসায়ী", "রিক্রুটিং এজেন্সি"),
    "ngo_partner": ("ngo", "ngo partner", "partner", "partner ngo", "ingo", "un", "un agency", "development partner",
    "এনজিও", "বেসরকারি সংস্থা", "সহযোগী সংস্থা"),
    "programme_staff": ("programme staff", "program staff", "project staff", "staff", "programme", "project",
    "প্রকল্প কর্মী"),
    "other": ("other", "others", "misc", "অন্যান্য", "অন্য"),
})

YES_NO = _table({
    "yes": ("yes", "y", "true", "1", "✓", "✔", "x", "p", "present", "হ্যাঁ", "হাঁ", "উপস্থিত", "ok"),
    "no": ("no", "n", "false", "0", "", "a", "absent", "না", "অনুপস্থিত", "-"),
})

# Upazilas (sub-districts) people write in the district column, each with its one district. Only names
# that no other upazila or district shares: a name that could be two places is asked, never guessed.
UPAZILAS = {
    # Districts with many migrants (the programme's districts) first.
    "hathazari": "chattogram", "sitakunda": "chattogram", "raozan": "chattogram", "fatikchhari": "chattogram",
    "patiya": "chattogram", "anwara": "chattogram", "boalkhali": "chattogram", "mirsharai": "chattogram",
    "sandwip": "chattogram", "banshkhali": "chattogram", "satkania": "chattogram",
    "daudkandi": "cumilla", "chandina": "cumilla", "debidwar": "cumilla", "muradnagar": "cumilla",
    "chauddagram": "cumilla", "laksam": "cumilla", "homna": "cumilla", "burichang": "cumilla", "barura": "cumilla",
    "nabinagar": "brahmanbaria", "sarail": "brahmanbaria", "ashuganj": "brahmanbaria", "bancharampur": "brahmanbaria",
    "kasba": "brahmanbaria", "akhaura": "brahmanbaria",
    "begumganj": "noakhali", "chatkhil": "noakhali", "senbagh": "noakhali", "hatiya": "noakhali",
    "sonaimuri": "noakhali",
    "ramganj": "lakshmipur", "raipur": "lakshmipur", "kamalnagar": "lakshmipur",
    "hajiganj": "chandpur", "matlab": "chandpur", "kachua": "chandpur", "faridganj": "chandpur",
    "shahrasti": "chandpur",
    "chhagalnaiya": "feni", "daganbhuiyan": "feni", "parshuram": "feni", "sonagazi": "feni",
    "savar": "dhaka", "keraniganj": "dhaka", "dohar": "dhaka", "dhamrai": "dhaka",
    "tongi": "gazipur", "kaliakair": "gazipur", "kapasia": "gazipur",
    "bhanga": "faridpur", "boalmari": "faridpur", "sadarpur": "faridpur", "nagarkanda": "faridpur",
    "shibchar": "madaripur", "rajoir": "madaripur", "kalkini": "madaripur",
    "naria": "shariatpur", "zajira": "shariatpur", "bhedarganj": "shariatpur", "damudya": "shariatpur",
    "bhairab": "kishoreganj", "bajitpur": "kishoreganj", "kuliarchar": "kishoreganj",
    "sirajdikhan": "munshiganj", "sreenagar": "munshiganj", "louhajang": "munshiganj", "tongibari": "munshiganj",
    "rupganj": "narayanganj", "sonargaon": "narayanganj", "araihazar": "narayanganj",
    "raipura": "narsingdi", "belabo": "narsingdi", "monohardi": "narsingdi", "shibpur": "narsingdi",
    "mirzapur": "tangail", "basail": "tangail", "ghatail": "tangail", "madhupur": "tangail",
    "goalanda": "rajbari", "pangsha": "rajbari", "baliakandi": "rajbari",
    "singair": "manikganj", "saturia": "manikganj", "ghior": "manikganj", "harirampur": "manikganj",
    "beanibazar": "sylhet", "golapganj": "sylhet", "bishwanath": "sylhet", "jaintiapur": "sylhet",
    "kanaighat": "sylhet", "zakiganj": "sylhet", "fenchuganj": "sylhet",
    "srimangal": "moulvibazar", "kulaura": "moulvibazar", "barlekha": "moulvibazar", "rajnagar": "moulvibazar",
    "chunarughat": "habiganj", "nabiganj": "habiganj", "baniachong": "habiganj", "madhabpur": "habiganj",
    "chhatak": "sunamganj", "jagannathpur": "sunamganj", "derai": "sunamganj",
    "jhikargachha": "jashore", "manirampur": "jashore", "chaugachha": "jashore", "keshabpur": "jashore",
    "benapole": "jashore", "sharsha": "jashore",
    "shailkupa": "jhenaidah", "harinakunda": "jhenaidah", "maheshpur": "jhenaidah",
    "kumarkhali": "kushtia", "bheramara": "kushtia",
    "tala": "satkhira", "shyamnagar": "satkhira", "kalaroa": "satkhira", "assasuni": "satkhira",
    "dumuria": "khulna", "paikgachha": "khulna", "batiaghata": "khulna", "dacope": "khulna", "koyra": "khulna",
    "mongla": "bagerhat", "morrelganj": "bagerhat", "sarankhola": "bagerhat",
    "shahjadpur": "sirajganj", "ullapara": "sirajganj", "belkuchi": "sirajganj",
    "ishwardi": "pabna", "bera": "pabna", "chatmohar": "pabna",
    "godagari": "rajshahi", "paba": "rajshahi", "tanore": "rajshahi", "bagmara": "rajshahi",
    "dhunat": "bogura",
    "muktagachha": "mymensingh", "bhaluka": "mymensingh", "trishal": "mymensingh", "gafargaon": "mymensingh",
    "fulbaria": "mymensingh", "ishwarganj": "mymensingh",
    "kendua": "netrokona", "mohanganj": "netrokona",
    "sarishabari": "jamalpur", "islampur": "jamalpur", "melandaha": "jamalpur",
    "nalitabari": "sherpur", "nakla": "sherpur", "jhenaigati": "sherpur",
    "saidpur": "nilphamari", "domar": "nilphamari", "jaldhaka": "nilphamari",
    "parbatipur": "dinajpur", "birampur": "dinajpur",
    "ulipur": "kurigram", "chilmari": "kurigram", "nageshwari": "kurigram",
    "teknaf": "coxs-bazar", "ukhia": "coxs-bazar", "chakaria": "coxs-bazar", "maheshkhali": "coxs-bazar",
    "ramu": "coxs-bazar", "kutubdia": "coxs-bazar", "pekua": "coxs-bazar",
    "kalapara": "patuakhali", "galachipa": "patuakhali", "bauphal": "patuakhali",
    "lalmohan": "bhola", "char fasson": "bhola", "charfasson": "bhola", "borhanuddin": "bhola",
    "bakerganj": "barishal", "gournadi": "barishal", "wazirpur": "barishal", "mehendiganj": "barishal",
    "amtali": "barguna", "patharghata": "barguna", "betagi": "barguna",
    "nazirpur": "pirojpur", "bhandaria": "pirojpur", "mathbaria": "pirojpur",
    # Bangla names of some of the same upazilas.
    "হাটহাজারী": "chattogram", "সীতাকুণ্ড": "chattogram", "রাউজান": "chattogram", "পটিয়া": "chattogram",
    "দাউদকান্দি": "cumilla", "চান্দিনা": "cumilla", "মুরাদনগর": "cumilla", "লাকসাম": "cumilla",
    "নবীনগর": "brahmanbaria", "সরাইল": "brahmanbaria", "বেগমগঞ্জ": "noakhali", "চাটখিল": "noakhali",
    "সাভার": "dhaka", "কেরানীগঞ্জ": "dhaka", "দোহার": "dhaka", "টঙ্গী": "gazipur", "ভাঙ্গা": "faridpur",
    "শিবচর": "madaripur", "ভৈরব": "kishoreganj", "বিয়ানীবাজার": "sylhet", "গোলাপগঞ্জ": "sylhet",
    "বিশ্বনাথ": "sylhet", "শ্রীমঙ্গল": "moulvibazar", "ঝিকরগাছা": "jashore", "বেনাপোল": "jashore",
    "টেকনাফ": "coxs-bazar", "উখিয়া": "coxs-bazar", "মহেশখালী": "coxs-bazar",
}
# More spellings of district names than core.districts knows (older English, common typos, "Zila").
DISTRICT_SPELLINGS = {
    "chittagong": "chattogram", "ctg": "chattogram", "chattagram": "chattogram", "chottogram": "chattogram",
    "barisal": "barishal", "comilla": "cumilla", "kumilla": "cumilla", "jessore": "jashore", "jossore": "jashore",
    "bogra": "bogura", "nawabganj": "chapainawabganj", "chapai nawabganj": "chapainawabganj",
    "chapai": "chapainawabganj", "cox s bazar": "coxs-bazar", "coxs bazar": "coxs-bazar", "coxbazar": "coxs-bazar",
    "cox bazar": "coxs-bazar", "jhalakati": "jhalokati", "jhalokathi": "jhalokati", "netrakona": "netrokona",
    "maulvibazar": "moulvibazar", "moulvi bazar": "moulvibazar", "laxmipur": "lakshmipur",
    "lakshmipur": "lakshmipur", "khagrachari": "khagrachhari", "narshingdi": "narsingdi", "narshindi": "narsingdi",
    "kishorganj": "kishoreganj", "kishorgonj": "kishoreganj", "b baria": "brahmanbaria", "bbaria": "brahmanbaria",
    "brahmmanbaria": "brahmanbaria", "munshigonj": "munshiganj", "narayangonj": "narayanganj",
    "gopalgonj": "gopalganj", "sirajgonj": "sirajganj", "habigonj": "habiganj", "sunamgonj": "sunamganj",
    "jhenaidaha": "jhenaidah", "jhenidah": "jhenaidah", "jinaidah": "jhenaidah", "kustia": "kushtia",
    "panchagar": "panchagarh", "thakurgoan": "thakurgaon", "nilphamary": "nilphamari", "gaibanda": "gaibandha",
    "sylet": "sylhet", "mymensing": "mymensingh", "moymonsingh": "mymensingh", "sherpore": "sherpur",
    "jaipurhat": "joypurhat", "joypurhut": "joypurhat", "naugaon": "naogaon", "rangamati": "rangamati",
    "rangamati hill district": "rangamati", "patuakhal": "patuakhali", "dhaka city": "dhaka",
    "চট্টগ্রাম জেলা": "chattogram", "কুমিল্লা জেলা": "cumilla", "ঢাকা জেলা": "dhaka", "বগুরা": "bogura",
    "যশোহর": "jashore", "চিটাগাং": "chattogram", "বরিশাল জেলা": "barishal", "রাঙামাটি": "rangamati",
    "নোয়াখালি": "noakhali", "লক্ষীপুর": "lakshmipur", "মৌলভিবাজার": "moulvibazar", "ব্রাহ্মণবাড়ীয়া": "brahmanbaria",
}
_UPAZILAS = {norm(name): code for name, code in UPAZILAS.items()}
_SPELLINGS = {norm(name): code for name, code in DISTRICT_SPELLINGS.items()}
_DISTRICT_WORDS = ("district", "zila", "zilla", "jela", "জেলা", "sadar", "সদর")


def district_code(text: str) -> str | None:
    """The district named, by code, name (old spellings and Bangla too) or an unambiguous upazila."""
    found = find_district(text)
    if found:
        return found.code
    key = norm(text)
    if not key:
        return None
    words = key.split()
    while len(words) > 1 and words[-1] in _DISTRICT_WORDS:
        words.pop()  # "Cumilla Sadar", "Khulna District", "ঢাকা জেলা"
    for candidate in (key, " ".join(words), "".join(words)):
        for table in (_SPELLINGS, _UPAZILAS):
            if candidate in table:
                return table[candidate]
        found = find_district(candidate)
        if found:
            return found.code
    return None


# Each field the import maps values for: the codes people choose from, and the built-in resolver.
VALUE_FIELDS = ("gender", "stakeholder_type", "district")


def choices(field: str) -> dict[str, str]:
    """code -> English label for a field's values (districts by name)."""
    if field == "gender":
        return dict(GENDERS)
    if field == "stakeholder_type":
        return dict(STAKEHOLDER_TYPES)
    return {d.code: d.name for d in DISTRICTS}


@functools.cache
def _own_labels(field: str) -> dict[str, str]:
    """The portal's own labels of a field's values, in English and in Bangla (normalised) -> code: what its
    exports write, so a list exported in either language reads back (issue 18)."""
    vocabulary = GENDERS if field == "gender" else STAKEHOLDER_TYPES
    return {norm(translate(label, lang)): code for code, label in dict.items(vocabulary) for lang in LANGUAGES}


def resolve(field: str, text: str) -> str | None:
    """The code for `text` in `field` from the built-in synonyms or the portal's own labels (either language),
    "" for a blank district, else None."""
    if field == "gender":
        return GENDER_SYNONYMS.get(norm(text)) or _own_labels(field).get(norm(text))
    if field == "stakeholder_type":
        key = norm(text)
        if not key:
            return "other"
        if key in _own_labels(field):
            return _own_labels(field)[key]
        if key in STAKEHOLDER_SYNONYMS:
            return STAKEHOLDER_SYNONYMS[key]
        return STAKEHOLDER_SYNONYMS.get(key.replace(" ", ""))
    if field == "district":
        return district_code(text) if text.strip() else ""
    raise KeyError(field)


def yes_no(text: str) -> bool | None:
    """True for a tick or yes (`✓`, `P`, `1`, `উপস্থিত`), False for blank or no, None when unclear."""
    answer = YES_NO.get(norm(text)) if text.strip() not in {"✓", "✔", "√"} else "yes"
    return None if answer is None else answer == "yes"


__all__ = ["VALUE_FIELDS", "bangla_to_ascii_digits", "choices", "district_code", "norm", "resolve", "slugify",
    "yes_no"]
