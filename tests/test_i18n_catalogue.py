"""Every UI message has a Bangla translation with the same placeholders.

The messages are extracted from the code and templates here (as `make i18n-extract` does), so a new
`_("...")` fails this test until it is extracted and translated; the .pot file being stale cannot hide it.
"""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from portal.core.i18n import TRANSLATIONS_DIR
from portal.core.paths import REPO_ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|\{[A-Za-z_][A-Za-z0-9_]*\}|%%")


def _source_messages() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(REPO_ROOT), METHODS, {"templates/**.html": {"encoding": "utf-8"}}, keywords=KEYWORDS):
        ids = message if isinstance(message, tuple) else (message,)
        if ids[0]:
            found[ids[0]] = tuple(i for i in ids if i)
    return found


def _bangla() -> dict[str, tuple[tuple[str, ...], bool]]:
    with (TRANSLATIONS_DIR / "bn" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="bn")
    result = {}
    for message in catalogue:
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            result[key] = (tuple(strings), message.fuzzy)
    return result


def _placeholders(text: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(text)))


def test_every_message_in_the_code_has_a_bangla_translation():
    source, bangla = _source_messages(), _bangla()
    assert len(source) > 900  # the extraction found the portal's messages
    missing = [msgid for msgid in source
               if msgid not in bangla or bangla[msgid][1] or not all(s.strip() for s in bangla[msgid][0])]
    assert not missing, f"{len(missing)} messages without a Bangla translation (make i18n-extract, then translate): " \
                        f"{missing[:40]}"


def test_translations_keep_their_placeholders():
    source, bangla = _source_messages(), _bangla()
    wrong = []
    for msgid, ids in source.items():
        strings, _fuzzy = bangla.get(msgid, ((), False))
        for original, translated in zip(ids * len(strings) if len(ids) == 1 else ids, strings, strict=False):
            if translated and _placeholders(original) != _placeholders(translated):
                wrong.append((original, translated))
    assert not wrong, f"placeholders differ: {wrong[:20]}"


def test_the_check_sees_a_missing_translation():
    assert "A message nobody translated" not in _bangla()
    assert _placeholders("%(name)s has {count} of 100%%") == ["%%", "%(name)s", "{count}"]
