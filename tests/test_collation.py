"""Names sort the way a Japanese reader expects beside Latin ones: the
customer list (metrics.customers.customers_page, sorted in DuckDB) and every
grid's server-side sort (components.grid.sort_frame, in Polars) use ICU's
collation of the viewer's language (DuckDB's icu extension, built into the
duckdb wheel). The expected orders are written out by hand: Latin first,
case never deciding; then kana in gojūon order, hiragana and katakana
together; then kanji, by reading in Japanese (JIS order: 佐 sa, 中 chū,
東 tō) and by code point in English. The export keeps the spec's order."""

from __future__ import annotations

import polars as pl
import pytest
from flask import Flask

from partnerhub.components.grid import sort_frame
from partnerhub.metrics.customers import customers, customers_page
from partnerhub.metrics.types import View
from tests.test_metrics_support import World, build, d

NAMES = {
    "C-01": "東京ガス",
    "C-02": "Zeta Corp",
    "C-03": "さくら商事",
    "C-04": "alpha",
    "C-05": "佐藤工業",
    "C-06": "アオイ電機",
    "C-07": "Beta",
    "C-08": "中村製作所",
    "C-09": "いろは",
    "C-10": "カキ食品",
}
JAPANESE_ORDER = [
    "alpha",
    "Beta",
    "Zeta Corp",
    "アオイ電機",
    "いろは",
    "カキ食品",
    "さくら商事",
    "佐藤工業",
    "中村製作所",
    "東京ガス",
]
ENGLISH_ORDER = [*JAPANESE_ORDER[:7], "中村製作所", "佐藤工業", "東京ガス"]
# the spec's export order: by name as stored (code points), then ID
EXPORT_ORDER = sorted(NAMES.values())


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    w = World()
    for cid, name in NAMES.items():
        w.customer(cid, name)
        w.sub(f"{cid}-P", cid, start=d(-10), end=d(300))
        w.line(f"{cid}-P", "meetings", 5)
    return build(tmp_path_factory.mktemp("collation"), w)


def ours(names) -> list[str]:
    # the World adds a customer of its own: only ours are compared
    return [n for n in names if n in NAMES.values()]


def _in(lang: str):
    # a request in that language (?lang=, the shared-link rule of partnerhub.i18n)
    return Flask(__name__).test_request_context(f"/?lang={lang}")


@pytest.mark.parametrize(("lang", "expected"), [("ja", JAPANESE_ORDER), ("en", ENGLISH_ORDER)])
def test_the_customer_list_sorts_names_in_the_viewers_collation(ctx, lang, expected):
    with _in(lang):
        page, total = customers_page(ctx, View(), [("customer_name", "asc")], 0, 100)
        assert total == len(NAMES) + 1 and ours(page["customer_name"]) == expected
        down, _total = customers_page(ctx, View(), [("customer_name", "desc")], 0, 100)
        assert ours(down["customer_name"]) == expected[::-1]
        # no sort asked: the list's own order, the spec's (as the export)
        default, _total = customers_page(ctx, View(), [], 0, 100)
        assert ours(default["customer_name"]) == EXPORT_ORDER


def test_a_grid_sorts_names_by_the_same_rule(ctx):
    frame = customers(ctx, View()).frame
    for lang, expected in (("ja", JAPANESE_ORDER), ("en", ENGLISH_ORDER)):
        with _in(lang):
            assert ours(sort_frame(frame, [("customer_name", "asc")])["customer_name"]) == expected
        assert ours(sort_frame(frame, [("customer_name", "asc")], lang)["customer_name"]) == expected


def test_case_never_decides_and_empty_values_come_last():
    frame = pl.DataFrame({"name": ["b", None, "さ", "B", "A", "あ"], "n": range(6)})
    up = sort_frame(frame, [("name", "asc")], "ja")
    assert up["name"].to_list() == ["A", "b", "B", "あ", "さ", None]  # b and B tie: the frame's order
    down = sort_frame(frame, [("name", "desc")], "ja")
    assert down["name"].to_list() == ["さ", "あ", "b", "B", "A", None]


def test_the_export_keeps_the_specs_order(ctx):
    with _in("ja"):
        assert ours(customers(ctx, View()).export()["customer_name"]) == EXPORT_ORDER
