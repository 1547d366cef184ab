"""Resources and help: the shipped content file is valid, a broken one is
reported (what and where) instead of breaking the page, and the search and
filters work and live in the address."""

from __future__ import annotations

import pytest

import partnerhub.pages._resources.content as content
from partnerhub.pages._resources.content import TYPES, ContentError, load_resources, matching
from tests.analytics_support import ROLES, call, find, layout_of, open_page, signed_in, text_of

SALES = "sales@demo.example"

GOOD_ENTRY = """
[[resource]]
title = "A guide"
url = "https://help.webex.com/"
category = "Getting started"
type = "guide"
description = "What it says."
"""


def test_the_shipped_content_is_valid():
    resources = load_resources()
    assert len(resources.items) >= 20
    assert {r.type for r in resources.items} == set(TYPES)
    assert resources.featured and resources.quick_links
    assert all(
        r.url.startswith(("https://help.webex.com/", "https://developer.webex.com/", "/")) for r in resources.items
    )


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[[resource]\ntitle = 1", "not valid TOML"),
        (GOOD_ENTRY.replace('type = "guide"', 'type = "podcast"'), "resource #1 (A guide): type must be one of"),
        (GOOD_ENTRY.replace('url = "https://help.webex.com/"', 'url = "javascript:alert(1)"'), "url must start with"),
        (GOOD_ENTRY.replace('description = "What it says."', ""), "description is missing"),
        (GOOD_ENTRY + 'colour = "red"\n', "unknown key 'colour'"),
        (GOOD_ENTRY + 'featured = "yes"\n', "featured must be true or false"),
        (GOOD_ENTRY + "updated = 2025-13-01\n", "not valid TOML"),
        (
            '[[quick_link]]\ntitle = "x"\nurl = "https://a.example/"\nicon = "<script>"\n' + GOOD_ENTRY,
            "icon must be a Bootstrap icon name",
        ),
        ('title = "no entries"\n', "there must be at least one [[resource]]"),
    ],
)
def test_a_broken_file_names_its_problems(tmp_path, text, problem):
    path = tmp_path / "resources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as e:
        load_resources(path)
    assert any(problem in p for p in e.value.problems), e.value.problems


def test_a_broken_file_is_a_message_on_the_page(app, tmp_path, monkeypatch):
    path = tmp_path / "resources.toml"
    path.write_text(GOOD_ENTRY.replace('type = "guide"', 'type = "podcast"'), encoding="utf-8")
    monkeypatch.setattr(content, "DEFAULT_PATH", path)
    layout = layout_of(open_page(signed_in(app, SALES), "/resources"))
    message = text_of(find(layout, "resources-content-error"))
    assert "content/resources.toml" in message and "type must be one of" in message
    assert find(layout, "resources-helpdesk")["href"] == app.extensions["partnerhub"].settings.helpdesk_url


@pytest.mark.parametrize("email", list(ROLES))
def test_every_role_gets_the_page(app, email):
    layout = layout_of(open_page(signed_in(app, email), "/resources"))
    resources = load_resources()
    assert (
        text_of(find(layout, "resources-count"))
        == f"Showing {len(resources.items)} of {len(resources.items)} resources"
    )
    assert len(find(layout, "resources-featured-list")["children"]) == len(resources.featured)
    assert len(find(layout, "resources-quick-links")["children"]) == len(resources.quick_links)


def test_search_and_filters_narrow_the_list_and_the_address(app):
    client = signed_in(app, SALES)
    resources = load_resources()
    response = call(
        client,
        "resources-list.children",
        {"resources-search.value": "queue", "resources-category.value": [], "resources-type.value": ["video"]},
    )
    expected = matching(resources, "queue", (), ("video",))
    assert len(expected) == 1
    assert response["resources-count"]["children"] == f"Showing 1 of {len(resources.items)} resources"
    assert response["resources-url"]["search"] == "?q=queue&type=video"
    assert expected[0].title in text_of(response["resources-list"]["children"])

    response = call(
        client,
        "resources-list.children",
        {
            "resources-search.value": "no such words anywhere",
            "resources-category.value": ["Licensing"],
            "resources-type.value": [],
        },
    )
    assert "No resource matches this search" in text_of(response["resources-list"]["children"])
    assert response["resources-url"]["search"] == "?q=no+such+words+anywhere&category=Licensing"


def test_the_address_sets_the_filters_and_bad_values_are_a_message(app):
    client = signed_in(app, SALES)
    layout = layout_of(open_page(client, "/resources", "?category=Licensing&type=guide"))
    assert find(layout, "resources-category")["value"] == ["Licensing"]
    expected = matching(load_resources(), "", ("Licensing",), ("guide",))
    assert text_of(find(layout, "resources-count")).startswith(f"Showing {len(expected)} of")
    assert find(layout, "resources-url-problems") is None

    layout = layout_of(open_page(client, "/resources", "?type=podcast&category=Licensing&page=2"))
    alert = text_of(find(layout, "resources-url-problems"))
    assert "The type “podcast” is unknown; use one of: guide, video, api, release_notes." in alert
    assert "This page has no parameter called “page” (given “2”)." in alert
    assert find(layout, "resources-category")["value"] == ["Licensing"]
    assert find(layout, "resources-type")["value"] == []


def test_every_bad_value_is_named_and_every_valid_one_kept(app):
    client = signed_in(app, SALES)
    layout = layout_of(open_page(client, "/resources", "?type=podcast&type=video&type=fax&category=Licensing"))
    alert = text_of(find(layout, "resources-url-problems"))
    assert "“podcast”" in alert and "“fax”" in alert
    assert find(layout, "resources-type")["value"] == ["video"]
    assert find(layout, "resources-category")["value"] == ["Licensing"]

    layout = layout_of(open_page(client, "/resources", "?type=video&q=" + "q" * 201))
    alert = text_of(find(layout, "resources-url-problems"))
    assert "The q “" + "q" * 60 + "…” is longer than 200 characters." in alert
    assert find(layout, "resources-type")["value"] == ["video"]
    assert find(layout, "resources-search")["value"] == ""


def test_a_search_too_long_is_left_out_and_said(app):
    """The search box and the address follow one rule: the same length limit,
    and a value over it is named rather than cut."""
    response = call(
        signed_in(app, SALES),
        "resources-list.children",
        {"resources-search.value": "w" * 201, "resources-category.value": [], "resources-type.value": ["video"]},
    )
    assert response["resources-url"]["search"] == "?type=video"
    assert "is longer than 200 characters." in text_of(response["resources-problems"]["children"])
    response = call(
        signed_in(app, SALES),
        "resources-list.children",
        {"resources-search.value": "queue", "resources-category.value": [], "resources-type.value": []},
    )
    assert response["resources-problems"]["children"] is None
