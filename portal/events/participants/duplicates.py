"""Likely duplicates in the directory: the same person entered twice under spellings of one name.

Phone and email are unique (normalised) columns, so two rows never share them; what remains is the
same name written two ways in the same district: `Md.`/`Mohammad`/`Muhammad`, `Begum`/`Begam`,
`Akter`/`Akhter`, `Hossain`/`Hussain`, words in another order, and the same Bangla name. `name_key`
reduces a name to a key where those spellings meet; people of one district with the same key (in
English or in Bangla) form a group. Nothing is changed here: staff open the people and decide.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from portal.events.tables import Participant, Registration

# Spellings of one name part (transliterations of the same Bangla word), each to one form.
SPELLINGS = {
    "muhammad": ("md", "mohd", "mohammad", "mohammed", "muhammad", "muhammed", "mohamad", "mohamed", "mohammod",
                 "muhammod", "mahmmad", "mhd"),
    "begum": ("begum", "begam", "bagum", "beguem"),
    "akter": ("akter", "akhter", "aktar", "akhtar", "aktér", "actor"),
    "hossain": ("hossain", "hussain", "hosain", "hossen", "hussein", "hossein", "hosen", "husain"),
    "khatun": ("khatun", "khatoon", "khaton"),
    "chowdhury": ("chowdhury", "chowdhuri", "choudhury", "chowdhory", "chaudhuri", "chowdury"),
    "rahman": ("rahman", "rahaman", "rehman"),
    "uddin": ("uddin", "uddeen", "udin"),
    "islam": ("islam", "islum"),
    "abdul": ("abdul", "abdur", "abdus", "abdullah", "abd"),
    "nasrin": ("nasrin", "nasreen"),
    "sultana": ("sultana", "sultanah"),
    "sheikh": ("sheikh", "shaikh", "sk", "shekh"),
    "mia": ("mia", "miah", "mian", "meah"),
    "mostafa": ("mostafa", "mustafa", "mostofa"),
    "kabir": ("kabir", "kobir"),
}
_SPELLING = {variant: canonical for canonical, variants in SPELLINGS.items() for variant in variants}
# Bangla honorific abbreviations: মোঃ / মো: / মোহাম্মদ are one word.
_BANGLA_SPELLING = {"মোঃ": "মোহাম্মদ", "মো": "মোহাম্মদ", "মুহাম্মদ": "মোহাম্মদ", "মোহাম্মাদ": "মোহাম্মদ",
                    "বেগম": "বেগম", "আক্তার": "আক্তার", "আখতার": "আক্তার", "হোসেন": "হোসেন", "হোসাইন": "হোসেন"}
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "engr", "alhaj", "haji", "late", "জনাব", "বেগম সাহেবা", "ডাঃ", "ডা"}


def name_key(name: str) -> str:
    """A key where spellings of one name meet ("Md. Karim Uddin" == "Mohammad Karim Udin" ==
    "Karim Uddin, Md"); empty for a blank name."""
    text = unicodedata.normalize("NFC", name or "").casefold()
    words = []
    for word in re.split(r"[^\w\u0980-\u09FF]+", text):
        word = word.strip("ঃ:")
        if not word or word in _TITLES:
            continue
        word = _SPELLING.get(word) or _BANGLA_SPELLING.get(word) or word
        words.append(word)
    return " ".join(sorted(words))


@dataclass
class Group:
    """People who may be one person: why, and each person with their registrations."""

    reason: str
    district: str
    people: list[dict[str, Any]]


async def likely_duplicates(districts: tuple[str, ...] | None = None, limit: int = 200) -> list[Group]:
    """Groups of people in one district with the same name key (English or Bangla), largest first;
    only `districts` when given."""
    query = Participant.select(Participant.id, Participant.name, Participant.name_bn, Participant.district,
                               Participant.phone, Participant.email, Participant.organisation,
                               Participant.created_at)
    if districts is not None:
        query = query.where(Participant.district.is_in(list(districts) or [""]))
    people = await query
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for person in people:
        for kind, text in (("name", person["name"]), ("name_bn", person["name_bn"])):
            key = name_key(text)
            if key and len(key) > 2:
                groups.setdefault((kind, person["district"], key), []).append(person)
    found: list[Group] = []
    seen: set[tuple[int, ...]] = set()
    for (kind, district, _key), members in groups.items():
        ids = tuple(sorted(p["id"] for p in members))
        if len(ids) < 2 or ids in seen:
            continue
        seen.add(ids)
        found.append(Group("name" if kind == "name" else "name_bn", district, members))
    found.sort(key=lambda g: (-len(g.people), g.district, g.people[0]["name"].casefold()))
    found = found[:limit]
    ids = [p["id"] for g in found for p in g.people]
    counts: dict[int, int] = {}
    if ids:
        for row in await Registration.select(Registration.participant).where(Registration.participant.is_in(ids)):
            counts[row["participant"]] = counts.get(row["participant"], 0) + 1
    for group in found:
        for person in group.people:
            person["registrations"] = counts.get(person["id"], 0)
    return found
