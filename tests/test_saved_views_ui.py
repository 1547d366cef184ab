"""The saved-views bar through its Dash callbacks (Flask test client on the
session app): saving the address the page shows (only that page's query),
the menu listing own and shared views, rename, share, delete (a full admin
deletes another's shared one), the landing view and the sign-in that goes
to it; a view naming a deleted tag opens with a notice."""

from __future__ import annotations

import pytest

from partnerhub.auth.users import get_user_by_email
from partnerhub.data import saved_views as view_store
from partnerhub.services import tags as tag_actions
from partnerhub.services.caller import cli_caller
from tests.analytics_support import find
from tests.auth_client import csrf_header, dash_callback, find_output, new_user, pattern_prop_id, sign_in
from tests.customer_pages import page, response, signed_in, text


def save(client, page_area: str, name, here, shared=False) -> dict:
    p = f"{page_area}-views"
    r = dash_callback(
        client,
        f"{p}-items.children",
        {
            f"{p}-save.n_clicks": 1,
            f"{p}-save-name.value": name,
            f"{p}-save-shared.value": shared,
            f"{p}-here.data": here,
        },
        [f"{p}-save.n_clicks"],
        input_id=f"{p}-save",
    )
    return response(r)


def manage(client, page_area: str, kind: str, view_id: int, name: str | None = None, on: int | None = None) -> dict:
    p = f"{page_area}-views"
    ident: dict = {"type": f"{p}-{kind}", "view": view_id}
    if on is not None:
        ident["on"] = on
    values: dict = {f"{p}-{kind}.n_clicks": [{"id": ident, "property": "n_clicks", "value": 1}]}
    if name is not None:
        box = {"type": f"{p}-name", "view": view_id}
        values[f"{p}-name.value"] = [{"id": box, "property": "value", "value": name}]
    r = dash_callback(
        client, f"{p}-list.children", values, [pattern_prop_id(ident, "n_clicks")], input_id=f"{p}-rename"
    )
    return response(r)


def said(answer: dict) -> str:
    return text([answer.get(k, {}).get("children") for k in sorted(answer) if "feedback" in k])


def own_views(services, email: str, page_area: str) -> list:
    user = get_user_by_email(services.state, email)
    return [v for v in view_store.views_for(services.state, user.id, page_area) if v.owner_id == user.id]


def views_of(services, email: str, page_area: str) -> list[tuple[str, str, bool]]:
    return [(v.name, v.query, v.shared) for v in own_views(services, email, page_area)]


@pytest.fixture
def person(services):
    return new_user(services, "partner_admin", prefix="viewer")


def test_save_the_page_address_and_list_it(app, services, person):
    client = signed_in(app, person)
    answer = save(client, "customers", "  Trials  ", "/customers?status=trial&managed_by=partner")
    assert "Saved the view “Trials”." in said(answer)
    assert answer["customers-views-save-modal"]["is_open"] is False
    assert views_of(services, person, "customers") == [("Trials", "status=trial&managed_by=partner", False)]
    [link] = [i["props"] for i in answer["customers-views-items"]["children"] if i["props"].get("href")]
    assert link["href"] == "/customers?status=trial&managed_by=partner"
    assert "Trials" in text(link) and "private" in text(link)
    assert "customers-views-list-" in text(answer["customers-views-list"])
    # the same name again: the new filters replace the old
    answer = save(client, "customers", "Trials", "/customers?status=trial", shared=True)
    assert "it now holds the current filters" in said(answer)
    assert views_of(services, person, "customers") == [("Trials", "status=trial", True)]


@pytest.mark.parametrize(
    "here",
    [
        "/analytics?product=calling",  # another page's address for the customer list's bar
        "https://elsewhere.example/customers?status=trial",
        "//elsewhere.example/customers",
        None,
        "",
    ],
)
def test_only_the_page_own_address_is_saved(app, services, person, here):
    answer = save(signed_in(app, person), "customers", "Elsewhere", here)
    assert "Open the page again, then save its view." in said(answer)
    assert "customers-views-save-modal" not in answer  # the dialog stays open, with what was typed
    assert views_of(services, person, "customers") == []


def test_bad_names_are_said_and_nothing_is_saved(app, services, person):
    client = signed_in(app, person)
    assert "Give the view a name." in said(save(client, "analytics", "  ", "/analytics?product=calling"))
    assert "at most 80 characters" in said(save(client, "analytics", "x" * 81, "/analytics"))
    assert views_of(services, person, "analytics") == []
    assert "Saved the view “Calling”." in said(save(client, "analytics", "Calling", "/analytics?product=calling"))


def test_a_role_cannot_use_the_bar_of_a_page_it_may_not_see(app, services):
    sales = new_user(services, "sales_admin", prefix="viewer")
    client = signed_in(app, sales)
    dep = find_output(client, "calling-views-items.children", "calling-views-save")
    from tests.auth_client import callback_body

    body = callback_body(
        dep,
        {
            "calling-views-save.n_clicks": 1,
            "calling-views-save-name.value": "Mine",
            "calling-views-here.data": "/calling",
        },
        ["calling-views-save.n_clicks"],
    )
    r = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
    assert r.status_code == 403
    assert views_of(services, sales, "calling") == []


def test_shared_views_rename_share_delete(app, services, person):
    owner = signed_in(app, person)
    save(owner, "customers", "Gold partners", "/customers?managed_by=partner", shared=True)
    [view] = own_views(services, person, "customers")

    other = new_user(services, "partner_admin", prefix="viewer")
    other_client = signed_in(app, other)
    answer = save(other_client, "customers", "Mine", "/customers")
    listed = text(answer["customers-views-items"])
    assert "Gold partners" in listed and "shared by Test partner_admin" in listed
    assert listed.index("Your views") < listed.index("Mine") < listed.index("Shared by others") < listed.index("Gold")
    rows = text(answer["customers-views-list"])
    assert f'"customers-views-rename", "view": {view.id}' not in rows  # not theirs to rename or delete
    assert f'"customers-views-delete", "view": {view.id}' not in rows

    # someone else's view: refused by the service, whatever the request says
    assert "Only its owner can rename" in said(manage(other_client, "customers", "rename", view.id, "Taken"))
    assert "Only its owner or a partner full administrator" in said(
        manage(other_client, "customers", "delete", view.id)
    )
    assert view_store.view(services.state, view.id).name == "Gold partners"

    answer = manage(owner, "customers", "rename", view.id, "Partner-managed")
    assert "Renamed the view “Gold partners” to “Partner-managed”." in said(answer)
    answer = manage(owner, "customers", "share", view.id)
    assert "is private: only you see it" in said(answer)
    # now private: the other person cannot even find it
    assert "That view does not exist (any more)." in said(manage(other_client, "customers", "landing", view.id, on=1))
    manage(owner, "customers", "share", view.id)

    # a full administrator deletes another person's shared view, after saying yes
    full = signed_in(app, new_user(services, "partner_full_admin", prefix="viewer"))
    asked = manage(full, "customers", "delete", view.id)
    assert "Delete the view “Partner-managed”?" in said(asked)
    assert view_store.view(services.state, view.id) is not None
    answer = manage(full, "customers", "delete-confirm", view.id)
    assert "Deleted the view “Partner-managed”." in said(answer)
    assert view_store.view(services.state, view.id) is None


def test_the_landing_view_and_the_sign_in_that_goes_to_it(app, services, person):
    client = signed_in(app, person)
    save(client, "customers", "Trials", "/customers?status=trial")
    [view] = own_views(services, person, "customers")
    answer = manage(client, "customers", "landing", view.id, on=1)
    assert "You will land on the view “Trials” after signing in." in said(answer)
    assert "Stop using as landing view" in text(answer["customers-views-list"])
    assert "landing view" in text(answer["customers-views-items"])

    assert sign_in(app.test_client(), person).headers["Location"] == "/customers?status=trial"
    # an address asked for explicitly wins
    assert sign_in(app.test_client(), person, next="/analytics").headers["Location"] == "/analytics"
    assert sign_in(app.test_client(), person, next="/").headers["Location"] == "/customers?status=trial"

    answer = manage(client, "customers", "landing", view.id, on=0)
    assert "You will land on This week after signing in." in said(answer)
    assert sign_in(app.test_client(), person).headers["Location"] == "/"


def test_a_view_on_a_page_the_role_no_longer_sees_is_no_landing(app, services):
    from partnerhub.auth.users import add_or_update_user

    email = new_user(services, "partner_admin", prefix="viewer")
    client = signed_in(app, email)
    save(client, "calling", "Queues", "/calling?status=trial")
    [view] = own_views(services, email, "calling")
    manage(client, "calling", "landing", view.id, on=1)
    assert sign_in(app.test_client(), email).headers["Location"] == "/calling?status=trial"
    add_or_update_user(services.state, "tests", email, "Test", "sales_admin")
    assert sign_in(app.test_client(), email).headers["Location"] == "/"


def test_a_view_naming_a_deleted_tag_opens_with_a_notice(app, services, person):
    with app.app_context():
        tag = tag_actions.create(cli_caller(), "Soon gone").value
    client = signed_in(app, person)
    save(client, "customers", "Tagged", "/customers?tag=Soon+gone&managed_by=partner")
    save(client, "analytics", "Tagged", "/analytics?product=calling&tag=Soon+gone")
    with app.app_context():
        tag_actions.delete(cli_caller(), tag["id"])
    saved = own_views(services, person, "customers") + own_views(services, person, "analytics")
    assert [v.query for v in saved] == ["tag=Soon+gone&managed_by=partner", "product=calling&tag=Soon+gone"]
    for view in saved:
        shown = page(client, view_store.PAGE_PATHS[view.page], "?" + view.query)["_pages_content"]
        assert "There is no tag called “Soon gone”." in text(shown), view.page
    # the rest of the view still applies
    listed = page(client, "/customers", "?tag=Soon+gone&managed_by=partner")["_pages_content"]["children"]
    assert find(listed, "customers-view")["data"] == "?managed_by=partner"


def test_each_page_draws_its_bar_with_the_views_the_viewer_sees(app, services, person):
    client = signed_in(app, person)
    for area, path in (
        ("home", "/"),
        ("customers", "/customers"),
        ("analytics", "/analytics"),
        ("calling", "/calling"),
    ):
        save(client, area, f"On {area}", path + "?managed_by=partner")
        drawn = page(client, path)["_pages_content"]["children"]
        items = find(drawn, f"{area}-views-items")
        assert items is not None, area
        links = [i["props"].get("href") for i in items["children"] if i["props"].get("href")]
        assert f"{path}?managed_by=partner" in links, (area, links)
        assert find(drawn, f"{area}-views-save-open") is not None


def test_a_language_asked_for_by_a_link_is_not_part_of_the_view(app, services, person):
    save(signed_in(app, person), "customers", "Trials", "/customers?lang=ja&status=trial&tag=A+b")
    assert views_of(services, person, "customers") == [("Trials", "status=trial&tag=A+b", False)]
