"""The customer page's notes and follow-up panel through its Dash callbacks,
as the browser sends them (Flask test client on the session app): who may
add, edit and delete notes and set a follow-up, in scope and out of it
(refused with the service's words, nothing written), the panel drawn again
after each change, notes shown as text; and the notes CSV route."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from partnerhub.auth.users import assign_customers, get_user_by_email
from partnerhub.data import follow_ups as follow_up_store
from partnerhub.data import notes as note_store
from partnerhub.data.state import notes as notes_table
from partnerhub.data.state import utcnow
from partnerhub.services.follow_ups import utc_today
from tests.analytics_support import find
from tests.auth_client import api_tokens, dash_callback, new_user, pattern_prop_id
from tests.customer_pages import ADMIN, FULL, READONLY, SALES, expected_list, page, response, scope, signed_in, text

NOT_FOUND = "Customer not found."
NO_NOTE = "That note does not exist (any more)."
TOO_LATE = "A note can be changed by its author within 24 hours of writing it"


# ---- requests as the page sends them ---------------------------------------------------------------


def _note_write(client, trigger: str, customer_id, new=None, edited=None, note_id=None) -> dict:
    values = {
        "customers-notes-add.n_clicks": None,
        "customers-notes-edit-save.n_clicks": None,
        "customers-notes-delete-confirm.n_clicks": None,
        f"{trigger}.n_clicks": 1,
        "customers-notes-new.value": new,
        "customers-notes-edit-text.value": edited,
        "customers-notes-target.data": note_id,
        "customers-detail-id.data": customer_id,
    }
    r = dash_callback(
        client, "customers-notes-panel.children", values, [f"{trigger}.n_clicks"], input_id="customers-notes-add"
    )
    return response(r)


def add(client, customer_id, body) -> dict:
    return _note_write(client, "customers-notes-add", customer_id, new=body)


def edit(client, customer_id, note_id, body) -> dict:
    return _note_write(client, "customers-notes-edit-save", customer_id, edited=body, note_id=note_id)


def delete(client, customer_id, note_id) -> dict:
    return _note_write(client, "customers-notes-delete-confirm", customer_id, note_id=note_id)


def follow_up(client, trigger: str, customer_id, due=None, line=None) -> dict:
    values = {
        "customers-followup-set.n_clicks": None,
        "customers-followup-done.n_clicks": None,
        "customers-followup-clear.n_clicks": None,
        f"customers-followup-{trigger}.n_clicks": 1,
        "customers-followup-date.value": due,
        "customers-followup-text.value": line,
        "customers-detail-id.data": customer_id,
    }
    r = dash_callback(
        client,
        "customers-notes-panel.children",
        values,
        [f"customers-followup-{trigger}.n_clicks"],
        input_id="customers-followup-set",
    )
    return response(r)


def open_dialog(client, kind: str, customer_id, note_id) -> dict:
    ident = {"type": f"customers-note-{kind}", "note": note_id}
    r = dash_callback(
        client,
        "customers-notes-target.data",
        {f"customers-note-{kind}.n_clicks": [{"id": ident, "property": "n_clicks", "value": 1}]}
        | {"customers-detail-id.data": customer_id},
        [pattern_prop_id(ident, "n_clicks")],
    )
    return response(r)


def said(answer: dict) -> str:
    """Every notice of a callback's answer, as text."""
    return text([answer.get(k, {}).get("children") for k in sorted(answer) if "feedback" in k])


def stored(services, customer_id) -> list[tuple[str, str]]:
    return [(n.author_email, n.body) for n in note_store.notes_for(services.state, customer_id)]


@pytest.fixture
def world(services):
    """A partner admin of their own with one customer, and one customer outside their scope."""
    everyone = expected_list(services, FULL)["customer_id"].to_list()
    inside = sorted(scope(services, ADMIN) - scope(services, SALES))[0]
    outside = next(c for c in everyone if c not in scope(services, ADMIN) and c not in scope(services, SALES))
    email = new_user(services, "partner_admin", prefix="noter")
    assign_customers(services.state, "tests", email, [inside])
    return email, inside, outside


# ---- notes ---------------------------------------------------------------------------------------------


def test_add_a_note_and_see_it_as_text_newest_first(app, services, world):
    email, inside, _outside = world
    client = signed_in(app, email)
    first = add(client, inside, "  <b>Called</b> [them](javascript:x)\nline two  ")
    assert "Note added." in said(first)
    second = add(client, inside, "Second note")
    mine = [(e, b) for e, b in stored(services, inside) if e == email]
    assert mine == [(email, "Second note"), (email, "<b>Called</b> [them](javascript:x)\nline two")]
    notes = note_store.notes_for(services.state, inside)
    panel = second["customers-notes-panel"]["children"]
    # drawn again at once, newest first; the text is a plain string child (escaped by React), never markup
    newest, older = (find(panel, f"customers-note-{n.id}") for n in notes if n.author_email == email)
    assert [c["props"]["className"] for c in newest["children"] if c] == [
        "note-meta small text-muted",
        "note-body",
        "note-actions",
    ]
    assert older["children"][1]["props"]["children"] == "<b>Called</b> [them](javascript:x)\nline two"
    assert "Test partner_admin" in text(newest["children"][0])
    assert "Markdown" not in text(panel) and "dangerously" not in text(panel)
    # the author may edit and delete their own: the buttons are there
    assert find(panel, "customers-notes-list") is not None
    assert '"customers-note-edit"' in text(newest)


def test_who_may_write_and_where(app, services, world):
    email, inside, outside = world
    before_inside, before_outside = stored(services, inside), stored(services, outside)
    readonly = signed_in(app, READONLY)
    assert "may not do this" in said(add(readonly, inside, "read-only note"))
    client = signed_in(app, email)
    for cid in (outside, "NO-SUCH-CUSTOMER"):
        answer = add(client, cid, "out of scope")
        assert said(answer).count(NOT_FOUND) == 1 and "customers-notes-panel" not in answer
    sales = signed_in(app, SALES)
    assert NOT_FOUND in said(add(sales, outside, "sales out of scope"))
    assert stored(services, inside) == before_inside and stored(services, outside) == before_outside
    # bad text: said, nothing written, the typed text stays (no new panel)
    for body, message in (("   ", "The note is empty"), ("x" * 4001, "at most 4,000 characters; this one has 4,001")):
        answer = add(client, inside, body)
        assert message in said(answer) and "customers-notes-panel" not in answer
    assert stored(services, inside) == before_inside


def test_edit_and_delete_by_author_and_full_admin_only(app, services, world):
    email, inside, _outside = world
    client = signed_in(app, email)
    add(client, inside, "to be edited")
    [note] = [n for n in note_store.notes_for(services.state, inside) if n.body == "to be edited"]

    opened = open_dialog(client, "edit", inside, note.id)
    assert opened["customers-notes-edit-modal"]["is_open"] is True
    assert opened["customers-notes-edit-text"]["value"] == "to be edited"
    assert opened["customers-notes-target"]["data"] == note.id

    assert "Note saved." in said(edit(client, inside, note.id, "edited once"))
    assert note_store.get_note(services.state, note.id).body == "edited once"
    assert "Nothing to save" in said(edit(client, inside, note.id, "edited once"))

    # another partner admin with the same customer: not theirs
    other = new_user(services, "partner_admin", prefix="other")
    assign_customers(services.state, "tests", other, [inside])
    answer = edit(signed_in(app, other), inside, note.id, "hijacked")
    assert TOO_LATE in text(answer["customers-notes-edit-feedback"]) and "customers-notes-panel" not in answer
    # out of scope: as if the note did not exist, in the delete dialog where it was asked
    answer = delete(signed_in(app, SALES), inside, note.id)
    assert NO_NOTE in text(answer["customers-notes-delete-feedback"])
    assert NOT_FOUND in said(open_dialog(signed_in(app, SALES), "edit", inside, note.id))
    assert note_store.get_note(services.state, note.id).body == "edited once"

    # after 24 hours the author no longer may; a full administrator always
    with services.state.write() as conn:
        conn.execute(
            update(notes_table).where(notes_table.c.id == note.id).values(created_at=utcnow() - timedelta(hours=25))
        )
    assert TOO_LATE in said(delete(client, inside, note.id))
    shown = text(page(client, f"/customers/{inside}")["_pages_content"])
    assert f'"note": {note.id}' not in shown and "edited once" in shown  # no edit/delete buttons on it now
    full = signed_in(app, FULL)
    assert "Note deleted." in said(delete(full, inside, note.id))
    assert note_store.get_note(services.state, note.id) is None


def test_a_readonly_admin_reads_notes_without_forms(app, services, world):
    email, inside, _outside = world
    add(signed_in(app, email), inside, "visible to everyone who sees the customer")
    shown = text(page(signed_in(app, READONLY), f"/customers/{inside}")["_pages_content"])
    assert "visible to everyone who sees the customer" in shown
    assert "Your role can read the notes but not write them." in shown
    for control in ("customers-notes-add", "customers-followup-set", "customers-note-edit"):
        assert control not in shown
    assert f"/api/v1/customers/{inside}/notes.csv" in shown


# ---- follow-ups ----------------------------------------------------------------------------------------


def test_set_mark_done_and_clear_a_follow_up(app, services, world):
    email, inside, outside = world
    client = signed_in(app, email)
    user_id = get_user_by_email(services.state, email).id
    due = utc_today() + timedelta(days=3)
    answer = follow_up(client, "set", inside, due.isoformat(), "Ask about the renewal")
    assert f"Follow-up set for {due.isoformat()}." in said(answer)
    assert "Ask about the renewal" in text(answer["customers-notes-panel"])
    fu = follow_up_store.follow_up_for(services.state, user_id, inside)
    assert (fu.due_date, fu.text, fu.done) == (due, "Ask about the renewal", False)

    assert "Follow-up marked done." in said(follow_up(client, "done", inside))
    assert follow_up_store.follow_up_for(services.state, user_id, inside).done
    assert "Follow-up removed." in said(follow_up(client, "clear", inside))
    assert follow_up_store.follow_up_for(services.state, user_id, inside) is None

    # refused: out of scope, a read-only role, a bad date; nothing written
    assert NOT_FOUND in said(follow_up(client, "set", outside, due.isoformat(), "x"))
    assert "may not do this" in said(follow_up(signed_in(app, READONLY), "set", inside, due.isoformat(), "x"))
    far = (utc_today() + timedelta(days=800)).isoformat()
    assert "A follow-up is due within a year of today" in said(follow_up(client, "set", inside, far, "x"))
    assert "Give the due date as a date" in said(follow_up(client, "set", inside, "soon", "x"))
    assert follow_up_store.follow_up_for(services.state, user_id, inside) is None
    assert follow_up_store.follow_up_for(services.state, user_id, outside) is None


# ---- the notes CSV -------------------------------------------------------------------------------------


def test_the_notes_csv_checks_scope_and_holds_the_notes(app, services, world):
    email, inside, outside = world
    client = signed_in(app, email)
    add(client, inside, '=HYPERLINK("http://x")\nsecond line')
    add(client, inside, "plain, with a comma")
    mine = [n for n in note_store.notes_for(services.state, inside) if n.author_email == email]

    r = client.get(f"/api/v1/customers/{inside}/notes.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert list(rows[0]) == ["customer_id", "note_id", "author", "created_at", "updated_at", "body"]
    by_id = {int(row["note_id"]): row for row in rows}
    assert len(rows) == len(note_store.notes_for(services.state, inside))
    newest, older = mine
    assert by_id[newest.id] == {
        "customer_id": inside,
        "note_id": str(newest.id),
        "author": "Test partner_admin",
        "created_at": newest.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": newest.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": "plain, with a comma",
    }
    # a spreadsheet would read it as a formula: it is text in the file
    assert by_id[older.id]["body"] == '\'=HYPERLINK("http://x")\nsecond line'

    bom = client.get(f"/api/v1/customers/{inside}/notes.csv?bom=true")
    assert bom.get_data().startswith(b"\xef\xbb\xbf") and bom.get_data()[3:] == r.get_data()

    # out of scope answers exactly like an unknown customer
    unknown = client.get("/api/v1/customers/NO-SUCH-CUSTOMER/notes.csv")
    hidden = client.get(f"/api/v1/customers/{outside}/notes.csv")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.get_json() == hidden.get_json() == {"error": NOT_FOUND}
    assert client.get(f"/api/v1/customers/{inside}/notes.csv?scope=all").status_code == 400
    assert client.get(f"/api/v1/customers/{inside}/notes.csv?bom=maybe").status_code == 400
    # anonymous: 401 JSON; an API token of the same person: the same file
    anonymous = app.test_client().get(f"/api/v1/customers/{inside}/notes.csv")
    assert anonymous.status_code == 401 and "error" in anonymous.get_json()
    token = api_tokens(app, [email])[email]
    by_token = app.test_client().get(
        f"/api/v1/customers/{inside}/notes.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert by_token.status_code == 200 and by_token.get_data() == r.get_data()
    # a read-only administrator sees every customer, so reads its notes too
    assert signed_in(app, READONLY).get(f"/api/v1/customers/{inside}/notes.csv").get_data() == r.get_data()
