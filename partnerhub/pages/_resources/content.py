"""The resources page's content: content/resources.toml, read with tomllib and
checked entry by entry, so that a broken edit is reported (what, where)
instead of breaking the page.

    load_resources(path) -> Resources        # raises ContentError(problems)
    matching(resources, q, categories, types) -> list[Resource]

An entry is written in English and may carry its Japanese beside it
(`title_ja`, `description_ja`, `category_ja`): one list, so that the two
languages cannot list different resources. The request's language picks
which text is read; an entry without a Japanese text shows its English.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from partnerhub.i18n import DEFAULT, _, request_language

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / "content" / "resources.toml"

TYPES = ("guide", "video", "api", "release_notes")
ICON = re.compile(r"^bi-[a-z0-9-]{1,40}$")
MAX_TEXT = 400
# the texts an entry may also give in another language, as <key>_<language>
TRANSLATED = {"title", "description", "category", "url"}
OTHER_LANGUAGES = ("ja",)


def type_labels() -> dict[str, str]:
    return {
        "guide": _("Guide"),
        "video": _("Video"),
        "api": _("API documentation"),
        "release_notes": _("Release notes"),
    }


TYPE_ICONS = {"guide": "bi-book", "video": "bi-play-btn", "api": "bi-braces", "release_notes": "bi-megaphone"}


@dataclass(frozen=True)
class QuickLink:
    title: str
    url: str
    icon: str = "bi-link-45deg"


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    category: str
    type: str
    description: str
    featured: bool = False
    updated: date | None = None

    @property
    def external(self) -> bool:
        return is_external(self.url)


@dataclass(frozen=True)
class Resources:
    quick_links: tuple[QuickLink, ...]
    items: tuple[Resource, ...]
    # a category's English name -> the name shown, so that a link shared from
    # the English page (?category=Webex%20Calling) filters the Japanese one too
    category_names: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def categories(self) -> tuple[str, ...]:
        """In the order they first appear in the file."""
        return tuple(dict.fromkeys(r.category for r in self.items))

    @property
    def featured(self) -> tuple[Resource, ...]:
        return tuple(r for r in self.items if r.featured)


class ContentError(ValueError):
    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def is_external(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def _url_ok(url) -> bool:
    # an external page, or a path of this app; never javascript: or data: addresses
    return isinstance(url, str) and (
        re.match(r"^https?://[^\s/]+\.[^\s]+$", url) is not None or re.match(r"^/[^\s/][^\s]*$|^/$", url) is not None
    )


def _text(entry: dict, key: str, where: str, problems: list[str], required: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: {key} is missing")
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key} must be a non-empty text")
        return ""
    if len(value) > MAX_TEXT:
        problems.append(f"{where}: {key} is longer than {MAX_TEXT} characters")
    return value.strip()


def _translated(entry: dict, key: str, language: str, where: str, problems: list[str], required: bool = True) -> str:
    """The entry's text in `language` (its English when it has none); every
    translation is checked, whichever language is read."""
    english = _text(entry, key, where, problems, required)
    chosen = english
    for other in OTHER_LANGUAGES:
        if f"{key}_{other}" in entry:
            text = _text(entry, f"{key}_{other}", where, problems)
            if key == "url" and text and not _url_ok(text):
                problems.append(f"{where}: url_{other} must start with https:// or / (got {text!r})")
                text = ""
            if other == language and text:
                chosen = text
    return chosen


def _with_translations(keys: set[str]) -> set[str]:
    return keys | {f"{k}_{o}" for k in keys & TRANSLATED for o in OTHER_LANGUAGES}


def _check_keys(entry: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    for key in entry:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(sorted(allowed))})")


def _quick_link(entry, n: int, problems: list[str], language: str = DEFAULT) -> QuickLink | None:
    where = f"quick_link #{n} ({entry.get('title', '?')})" if isinstance(entry, dict) else f"quick_link #{n}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a table ([[quick_link]])")
        return None
    _check_keys(entry, _with_translations({"title", "url", "icon"}), where, problems)
    title, url = (
        _translated(entry, "title", language, where, problems),
        _translated(entry, "url", language, where, problems),
    )
    if url and not _url_ok(url):
        problems.append(f"{where}: url must start with https:// or / (got {url!r})")
    icon = entry.get("icon", "bi-link-45deg")
    if not isinstance(icon, str) or not ICON.match(icon):
        problems.append(f'{where}: icon must be a Bootstrap icon name such as "bi-book"')
    return QuickLink(title, url, icon if isinstance(icon, str) else "")


def _resource(entry, n: int, problems: list[str], language: str = DEFAULT) -> tuple[Resource, str] | None:
    """The resource in `language`, and its category's English name."""
    where = f"resource #{n} ({entry.get('title', '?')})" if isinstance(entry, dict) else f"resource #{n}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a table ([[resource]])")
        return None
    keys = {"title", "url", "category", "type", "description", "featured", "updated"}
    _check_keys(entry, _with_translations(keys), where, problems)
    title, url = (
        _translated(entry, "title", language, where, problems),
        _translated(entry, "url", language, where, problems),
    )
    if url and not _url_ok(url):
        problems.append(f"{where}: url must start with https:// or / (got {url!r})")
    category = _translated(entry, "category", language, where, problems)
    kind = entry.get("type")
    if kind not in TYPES:
        problems.append(f"{where}: type must be one of {', '.join(TYPES)} (got {kind!r})")
    description = _translated(entry, "description", language, where, problems)
    featured = entry.get("featured", False)
    if not isinstance(featured, bool):
        problems.append(f"{where}: featured must be true or false")
    updated = entry.get("updated")
    if updated is not None and (not isinstance(updated, date) or hasattr(updated, "hour")):
        problems.append(f"{where}: updated must be a date such as 2025-01-31")
    resource = Resource(
        title,
        url,
        category,
        kind if kind in TYPES else "guide",
        description,
        featured is True,
        updated if isinstance(updated, date) else None,
    )
    return resource, str(entry.get("category") or "").strip()


def load_resources(path: Path | None = None, language: str | None = None) -> Resources:
    """The file's content (DEFAULT_PATH unless told) in `language` (the
    request's unless told), or ContentError listing every problem found."""
    path = Path(path or DEFAULT_PATH)
    language = language or request_language()
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ContentError(path, ["the file does not exist"]) from None
    except tomllib.TOMLDecodeError as e:
        raise ContentError(path, [f"not valid TOML: {e}"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ContentError(path, [f"cannot be read: {e}"]) from None
    problems: list[str] = []
    _check_keys(raw, {"quick_link", "resource"}, "the file", problems)
    links_raw, items_raw = raw.get("quick_link", []), raw.get("resource", [])
    if not isinstance(links_raw, list):
        problems.append("quick_link must be written [[quick_link]]")
        links_raw = []
    if not isinstance(items_raw, list) or not items_raw:
        problems.append("there must be at least one [[resource]]")
        items_raw = items_raw if isinstance(items_raw, list) else []
    links = [_quick_link(e, i, problems, language) for i, e in enumerate(links_raw, 1)]
    items = [_resource(e, i, problems, language) for i, e in enumerate(items_raw, 1)]
    if problems:
        raise ContentError(path, problems)
    # without problems every entry was read
    read = [r for r in items if r is not None]
    return Resources(
        tuple(q for q in links if q is not None),
        tuple(r for r, _english in read),
        {english: r.category for r, english in read},
    )


def matching(resources: Resources, q: str = "", categories=(), types=()) -> list[Resource]:
    """Resources whose title, description or category contains `q` (any
    case), in one of `categories` and one of `types` (empty: any)."""
    needle = (q or "").strip().casefold()
    out = []
    for r in resources.items:
        if categories and r.category not in categories:
            continue
        if types and r.type not in types:
            continue
        if needle and needle not in f"{r.title}\n{r.description}\n{r.category}".casefold():
            continue
        out.append(r)
    return out
