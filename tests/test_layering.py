"""The arrows of ARCHITECTURE.md, checked on the source: pages and the API
call the application layer (services) and metrics; those call the stores;
nothing below imports from above. i18n and formatting are the shared
foundation every layer may use."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "partnerhub"
FOUNDATION = {"i18n", "formatting"}

# layer -> the layers of ours it may import (besides itself and the foundation)
ALLOWED = {
    "data": set(),
    "metrics": {"data"},
    "auth": {"data"},
    "services": {"data", "auth", "metrics"},
    "components": set(),
    "api": {"data", "auth", "metrics", "services"},
    "pages": {"data", "auth", "metrics", "services", "components"},
    "alerts": {"data", "auth", "metrics", "services"},
    "cli": {"data", "auth", "metrics", "services", "alerts"},
}
# the navigation bar asks auth which areas the viewer may see
EXCEPTIONS = {("components/shell.py", "auth")}


def _imports(path: Path, source: str | None = None) -> set[str]:
    """The first-level modules of ours that a file imports, relative imports resolved."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(parts[: len(parts) - node.level])
                names = [".".join(["partnerhub", *base, *([node.module] if node.module else [])])]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            bits = name.split(".")
            if bits[0] == "partnerhub" and len(bits) > 1:
                found.add(bits[1])
    return found


def _files():
    for layer in ALLOWED:
        folder = PACKAGE / layer
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
            yield layer, path


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below(layer):
    wrong = []
    for owner, path in _files():
        if owner != layer:
            continue
        rel = str(path.relative_to(PACKAGE))
        for imported in _imports(path) - {layer} - FOUNDATION - ALLOWED[layer]:
            if (rel, imported) not in EXCEPTIONS:
                wrong.append(f"{rel} imports partnerhub.{imported}")
    assert not wrong, wrong


def test_the_foundation_imports_nothing_of_ours():
    for name in FOUNDATION:
        assert _imports(PACKAGE / f"{name}.py") <= FOUNDATION, name


def test_the_checker_sees_a_wrong_arrow():
    # absolute and relative imports of a module in data/ both resolve to their layer
    source = "from partnerhub.pages import home\nfrom ..metrics import cache\nfrom . import state\nimport partnerhub.api.routes\n"
    assert _imports(PACKAGE / "data" / "probe.py", source) == {"pages", "metrics", "data", "api"}
