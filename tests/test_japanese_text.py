"""Texts that used to stay English in Japanese mode, checked over HTTP and in
a request of each language: the resources page's content, the statuses'
definition, the administration columns, the errors of the auth functions and
of the API (same JSON shape and status codes), Plotly's chart words. The
browser-wide check of every page is tests/browser/test_japanese.py."""

from __future__ import annotations

import pytest

from partnerhub.auth.users import normalize_email
from partnerhub.components.charts import graph_config
from partnerhub.metrics.definitions import STATUS_LABELS, STATUSES, definition
from partnerhub.pages._resources.content import ContentError, load_resources
from tests.analytics_support import find, layout_of, open_page, signed_in, text_of

JA = {"Accept-Language": "ja-JP,ja;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
SALES = "sales@demo.example"
FULL = "full.admin@demo.example"


def japanese(app, email: str):
    client = signed_in(app, email)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = JA["Accept-Language"]
    return client


def test_every_resource_has_its_japanese_text_and_the_same_list():
    ja, en = load_resources(language="ja"), load_resources(language="en")
    assert [r.type for r in ja.items] == [r.type for r in en.items]
    assert len(ja.quick_links) == len(en.quick_links)
    for j, e in zip(ja.items, en.items, strict=True):
        assert j.description != e.description, e.title
        assert j.category != e.category or e.category == "Webex Calling", e.title
        # a help page of Webex opens in its Japanese edition
        assert j.url == e.url.replace("help.webex.com/en-us/", "help.webex.com/ja-jp/")
    assert ja.category_names["Licensing"] == "ライセンス"


def test_a_bad_japanese_address_is_named(tmp_path):
    path = tmp_path / "resources.toml"
    path.write_text(
        '[[resource]]\ntitle = "A guide"\ntitle_ja = "ガイド"\nurl = "https://help.webex.com/"\n'
        'url_ja = "javascript:alert(1)"\ncategory = "Getting started"\ntype = "guide"\ndescription = "What."\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as e:
        load_resources(path, language="en")
    assert any("url_ja must start with" in p for p in e.value.problems), e.value.problems


def test_the_resources_page_is_japanese_and_an_english_category_link_still_filters(app):
    client = japanese(app, SALES)
    ja = load_resources(language="ja")
    layout = layout_of(open_page(client, "/resources", "?category=Licensing"))
    listed = text_of(find(layout, "resources-list"))
    licensing = [r for r in ja.items if r.category == "ライセンス"]
    assert licensing and all(r.title in listed for r in licensing)
    assert find(layout, "resources-url-problems") is None or not text_of(find(layout, "resources-url-problems"))
    assert not [r.title for r in ja.items if r.category != "ライセンス" and r.title in listed]


def test_the_statuses_definition_is_composed_in_the_readers_language(app):
    with app.test_request_context(headers=JA):
        text = definition("statuses")
    assert text.startswith("現在その顧客に当てはまるすべてのステータス: ")
    assert "トライアル:" in text and "%(" not in text and "Trial" not in text
    with app.test_request_context(headers=EN):
        text = definition("statuses")
    assert text.startswith("Everything that holds for the customer today: ")
    assert all(f"{STATUS_LABELS[s]}: " in text for s in STATUSES)


def test_the_administration_columns_and_statuses_are_japanese(app):
    layout = layout_of(open_page(japanese(app, FULL), "/admin"))
    users = find(layout, "admin-users-grid")
    headers = [c["headerName"] for c in users["columnDefs"]]
    assert "最終サインイン" in headers and "Last sign-in" not in headers
    statuses = {row["status"] for row in users["rowData"]}
    assert statuses <= {"アクティブ", "無効", "パスワード未設定"}, statuses
    audit = find(layout, "admin-audit-grid")
    assert [c["headerName"] for c in audit["columnDefs"]][:3] == ["日時", "実行者", "操作"]


def test_an_auth_error_is_in_the_request_language_and_english_outside_a_request(app):
    with app.test_request_context(headers=JA), pytest.raises(ValueError, match="はメールアドレスではありません"):
        normalize_email("not-an-address")
    # the command line (no request) keeps its English
    with pytest.raises(ValueError, match="'not-an-address' is not an e-mail address"):
        normalize_email("not-an-address")


def test_an_api_error_is_japanese_with_the_same_shape_and_status(app):
    ja, en = japanese(app, SALES), signed_in(app, SALES)
    for client, expected in ((ja, "データセット「nope」はありません。"), (en, "unknown dataset 'nope'")):
        response = client.get("/api/v1/datasets/nope.csv")
        assert response.status_code == 404
        assert response.get_json() == {"error": expected}
    response = ja.get("/api/v1/no/such/thing")
    assert response.status_code == 404 and set(response.get_json()) == {"error"}
    assert "はありません" in response.get_json()["error"]


def test_the_chart_buttons_speak_the_request_language(app):
    with app.test_request_context(headers=JA):
        config = graph_config("x")
    assert config["locale"] == "ja"
    assert config["locales"]["ja"]["dictionary"]["Zoom in"] == "拡大"
    assert config["locales"]["ja"]["dictionary"]["Download plot as a PNG"] == "グラフを PNG でダウンロード"


def test_a_bad_filter_is_named_in_the_request_language_with_the_same_shape(app):
    ja, en = japanese(app, SALES), signed_in(app, SALES)
    url = "/api/v1/datasets/expiring.csv?product=fax&colour=red"
    answers = {}
    for name, client in (("ja", ja), ("en", en)):
        response = client.get(url)
        assert response.status_code == 400
        answers[name] = response.get_json()
    assert "product: unknown value 'fax'" in answers["en"]["error"]
    assert "colour: unknown parameter" in answers["en"]["error"]
    assert "product: 値 'fax' は使えません" in answers["ja"]["error"]
    assert "colour: 不明なパラメーターです" in answers["ja"]["error"]
    assert answers["ja"]["parameter"] == answers["en"]["parameter"]
