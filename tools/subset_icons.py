"""Rebuilds the vendored Bootstrap Icons with only the icons the app uses.

The full font is 135 KB, a tenth of a first visit's budget, for the ~40 icons
the app shows; its style sheet names 2,000. Run this after using a new icon
(tests/test_static_caching.py fails until then):

    python -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools brotli
    /tmp/ft/bin/python tools/subset_icons.py

It fetches the pinned release with `npm pack` (build time only; the app serves
the result itself) and writes partnerhub/assets/vendor/02-bootstrap-icons.min.css
and fonts/bootstrap-icons.woff2 / .woff. The font's URL carries a digest of
the subset, so a browser that kept the old one for a year fetches the new one.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "1.13.2"
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "partnerhub"
VENDOR = PACKAGE / "assets" / "vendor"
CSS = VENDOR / "02-bootstrap-icons.min.css"
FONTS = VENDOR / "fonts"
# every place an icon's class name can be written down
SOURCES = ("*.py", "*.js", "*.html", "*.toml", "*.css")
ICON = re.compile(r"(?<![\w-])bi-[a-z0-9]+(?:-[a-z0-9]+)*")
RULE = re.compile(r'\.(?P<name>bi-[a-z0-9-]+)::before\{content:"\\(?P<code>[0-9a-f]+)"\}')


def used_icons(package: Path = PACKAGE) -> set[str]:
    """The `bi-*` names written anywhere in the app but the vendored files."""
    vendor = package / "assets" / "vendor"
    names: set[str] = set()
    for pattern in SOURCES:
        for path in package.rglob(pattern):
            if vendor not in path.parents:
                names.update(ICON.findall(path.read_text(encoding="utf-8")))
    return names


def _fetch(into: Path) -> Path:
    subprocess.run(["npm", "pack", f"bootstrap-icons@{VERSION}", "--silent"], cwd=into, check=True)
    with tarfile.open(into / f"bootstrap-icons-{VERSION}.tgz") as tar:
        tar.extractall(into, filter="data")
    return into / "package" / "font"


def _subset(font: Path, codes: list[int], flavor: str, out: Path) -> None:
    from fontTools import subset

    options = subset.Options()
    options.flavor = flavor
    options.layout_features = []
    options.name_IDs = ["*"]  # keeps the copyright and license names
    loaded = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(loaded)
    subset.save_font(loaded, str(out), options)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        source = _fetch(Path(tmp))
        full_css = (source / "bootstrap-icons.min.css").read_text(encoding="utf-8")
        rules = {m["name"]: m for m in RULE.finditer(full_css)}
        wanted = sorted(n for n in used_icons() if n in rules)
        codes = sorted({int(rules[n]["code"], 16) for n in wanted})
        for flavor in ("woff2", "woff"):
            _subset(source / "fonts" / "bootstrap-icons.woff2", codes, flavor, FONTS / f"bootstrap-icons.{flavor}")
    digest = hashlib.md5((FONTS / "bootstrap-icons.woff2").read_bytes(), usedforsecurity=False).hexdigest()
    head = full_css.partition(".bi-123::before")[0]  # the banner, @font-face and the .bi rule
    head = re.sub(r"\?[0-9a-f]{32}", f"?{digest}", head)
    CSS.write_text(head + "".join(rules[n].group(0) for n in wanted), encoding="utf-8")
    print(f"{len(wanted)} icons; woff2 {(FONTS / 'bootstrap-icons.woff2').stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
