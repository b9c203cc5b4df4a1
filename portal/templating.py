"""The Jinja environment: filters and globals every template may use."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.core import i18n, urls
from portal.core.districts import BY_CODE, district_name
from portal.core.http import static_fingerprint
from portal.core.i18n import format_when
from portal.core.phone import mask_phone
from portal.core.vocab import CHECKIN_METHODS, GENDERS, KINDS, STAKEHOLDER_TYPES, STATUSES
from portal.settings import Settings


def static_url(file_path: str) -> str:
    """/static/... with a content hash, so the file can be cached for a year and still change."""
    return f"/static/{file_path}?v={static_fingerprint(file_path) or 'missing'}"


_DAY_TITLE = re.compile(r"Day (\d{1,3})")


def district(code: str | None) -> str:
    """The district's name in the page's language (the code itself when unknown)."""
    return district_name(code, i18n.current_language.get())


def session_title(title: str) -> str:
    """A session's title; the "Day 1" titles the portal gives new sessions read in the page's language."""
    match = _DAY_TITLE.fullmatch(title or "")
    if match is None:
        return title
    return i18n.gettext("Day {number}").format(number=i18n.format_number(int(match.group(1))))


def lang_attr(text: str | None) -> Markup:
    """` lang="en"` on an element whose text is in another script than the page's language (an English
    event title in a Bangla page, a Bangla name in an English one), so screen readers switch voice."""
    language = i18n.script_language(text)
    if language is None or language == i18n.current_language.get():
        return Markup("")
    return Markup(' lang="{}"').format(language)


def translate(message: str, /, **variables: Any) -> Markup:
    """The template `_()`: the message in the request's language, formatted with escaped variables (what
    jinja2.ext's newstyle gettext returns when autoescape is on, as it always is here)."""
    # The catalogue is the portal's own text, trusted as the i18n extension trusts it.
    text = Markup(i18n.gettext(message))  # noqa: S704
    # Markup's % wraps its argument in escaping helpers even when there is nothing to format: most messages
    # have no % at all, and for them the result is the text itself.
    return text % variables if variables or "%" in text else text


@pass_context
def current_user(context: Context) -> Any:
    """The staff member logged in (None for visitors). A function, never a context variable: a page's
    own `user` (the account an admin edits) must not be shadowed by the person looking at it."""
    request = context.get("request")
    return request.scope.get("user") if request is not None else None


def configure_jinja(env: Environment, settings: Settings) -> None:
    """Register filters and globals on the template engine's environment."""
    tz = settings.tz

    def local(value: dt.datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
        return format_when(value.astimezone(tz), fmt) if value else ""

    def date(value: dt.date | None, fmt: str = "%d %b %Y") -> str:
        return format_when(value, fmt) if value else ""

    def query(params: dict[str, Any], **changes: Any) -> str:
        merged = {**{k: v for k, v in params.items() if v not in (None, "")}, **changes}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    env.autoescape = True
    # Without debug, a template file is read once: with auto_reload every {% extends %}, {% include %} and
    # {% import %} stats its file on each render (an include in a 100-row loop is 100 stats).
    env.auto_reload = settings.debug
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    # `_()` as the i18n extension's newstyle gettext does it (translation as Markup, %-formatted with escaped
    # values), without its three nested context calls: a row of a staff list says `_()` five to ten times.
    env.globals["_"] = translate
    env.globals["url_for"] = urls.url_for
    env.filters.update(local=local, date=date, district=district, session_title=session_title, mask_phone=mask_phone,
                       number=i18n.format_number)
    env.globals.update(
        KINDS=KINDS, STATUSES=STATUSES, GENDERS=GENDERS, STAKEHOLDER_TYPES=STAKEHOLDER_TYPES,
        CHECKIN_METHODS=CHECKIN_METHODS, DISTRICTS_BY_CODE=BY_CODE, query=query, base_url=settings.base_url,
        static=static_url,
        LANGUAGES=i18n.LANGUAGES, current_language=i18n.current_language.get, lang_attr=lang_attr,
        current_user=current_user,
    )
