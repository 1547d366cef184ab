"""The audit log in words: one sentence per action code, in the viewer's
language, with the row's before and after values written the way the rest of
the product writes them (numbers and dates through partnerhub.formatting,
products, roles and statuses by their labels), never as code or dict text.

    action_label("trial.start")   -> "Trial started"
    sentence(row)                 -> "Started a 30-day trial until 2026-12-31: Meetings 25 licenses."

`row` is an audit_log row (action, target, customer_id, before, after). A
code this module does not know (written by a later version) still reads as
a sentence: the generic one, naming what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from partnerhub.auth.roles import ROLE_LABELS
from partnerhub.components.badges import status_labels
from partnerhub.components.labels import product_labels
from partnerhub.formatting import MISSING, fmt_bool, fmt_date, fmt_datetime, fmt_int, fmt_number
from partnerhub.i18n import LANGUAGE_NAMES, N_, _, n_

QUOTED = 80  # a note or follow-up text is quoted up to this many characters

Row = Mapping[str, Any]
Sentence = Callable[[Row], str]


# ---- values as the product writes them ------------------------------------------------------------


def _part(row: Row, key: str) -> dict:
    value = row.get(key)
    return value if isinstance(value, dict) else {}


def _quote(text) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


def _role(role) -> str:
    label = ROLE_LABELS.get(role)
    return _(label) if label else (str(role) if role else MISSING)


def _customer(row: Row, part: dict | None = None) -> str:
    return str((part or {}).get("customer_id") or row.get("customer_id") or MISSING)


def _email(row: Row, part: dict | None = None) -> str:
    return str((part or {}).get("email") or row.get("target") or MISSING)


def _licenses(licenses) -> str:
    if not isinstance(licenses, dict) or not licenses:
        return MISSING
    labels = product_labels()
    return ", ".join(
        n_(
            "%(product)s %(count)s license",
            "%(product)s %(count)s licenses",
            int(n) if isinstance(n, int) else 0,
            product=labels.get(p, str(p)),
            count=fmt_int(n),
        )
        for p, n in licenses.items()
    )


def _language(code) -> str:
    return LANGUAGE_NAMES.get(code, str(code)) if code else _("the browser's choice")


def _page(page) -> str:
    pages = {
        "home": _("Home"),
        "customers": _("Customers"),
        "analytics": _("Analytics"),
        "calling": _("Calling"),
    }
    return pages.get(page, str(page or MISSING))


def _condition(code) -> str:
    words = {
        "health_at_risk": _("Health at risk"),
        "health_drop": _("Health dropped"),
        "trial_ending": _("Trial ending"),
        "subscription_expiring": _("Subscription expiring"),
        "new_overage": _("New license overage"),
        "new_order_ready_for_setup": _("New order ready for setup"),
        "new_suspended": _("Newly suspended"),
        "usage_trend_low": _("Low usage trend"),
        "poor_call_quality": _("Poor call quality"),
        "queue_abandonment": _("Calls abandoned in queues"),
        "no_admin_activity": _("No admin activity"),
    }
    return words.get(code) or status_labels().get(code) or _("a condition")


def _channels(channels) -> str:
    words = {"inbox": _("in-app inbox"), "email": _("e-mail"), "webhook": _("webhook")}
    if not isinstance(channels, Iterable) or isinstance(channels, str | bytes) or not channels:
        return MISSING
    return ", ".join(words.get(c, str(c)) for c in channels)


def value_text(value) -> str:
    """Any value of a before or after, written for people: numbers grouped,
    ISO dates and times in the viewer's form, lists joined, yes/no."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return fmt_bool(value)
    if isinstance(value, int):
        return fmt_int(value)
    if isinstance(value, float):
        return fmt_number(value, 2)
    if isinstance(value, str):
        if len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
            return fmt_date(value)
        if len(value) > 16 and value[4:5] == "-" and value[10:11] == "T":
            return fmt_datetime(value)
        return _quote(value)
    if isinstance(value, dict):
        return "; ".join(f"{_quote(k)} {value_text(v)}" for k, v in value.items()) or MISSING
    if isinstance(value, list | tuple | set):
        return ", ".join(value_text(v) for v in value) or MISSING
    return _quote(value)


def _params(params) -> str:
    if not isinstance(params, dict) or not params:
        return ""
    words = {
        "points": _("points"),
        "days": _("days"),
        "below": _("below"),
        "ratio": _("share"),
        "min_calls": _("at least calls"),
        "min_offered": _("at least offered calls"),
    }
    return "; ".join(f"{words.get(k, str(k))} {value_text(v)}" for k, v in params.items())


# ---- one sentence per action --------------------------------------------------------------------


def _trial_start(row: Row) -> str:
    a = _part(row, "after")
    return _(
        "Started a %(days)s-day trial until %(end)s: %(licenses)s.",
        days=value_text(a.get("days")),
        end=value_text(a.get("end_date")),
        licenses=_licenses(a.get("licenses")),
    )


def _trial_extend(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    return _(
        "Extended the trial from %(before)s to %(after)s.",
        before=value_text(b.get("end_date")),
        after=value_text(a.get("end_date")),
    )


def _tag_create(row: Row) -> str:
    a = _part(row, "after")
    return _("Created the tag “%(name)s”.", name=a.get("name") or row.get("target") or MISSING)


def _tag_rename(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    return _(
        "Renamed the tag “%(before)s” to “%(after)s”.", before=b.get("name", MISSING), after=a.get("name", MISSING)
    )


def _tag_recolor(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    return _(
        "Changed the colour of the tag “%(name)s” from %(before)s to %(after)s.",
        name=row.get("target") or MISSING,
        before=b.get("color", MISSING),
        after=a.get("color", MISSING),
    )


def _tag_delete(row: Row) -> str:
    b = _part(row, "before")
    count = len(b.get("customers") or [])
    return n_(
        "Deleted the tag “%(name)s”; %(count)s customer had it.",
        "Deleted the tag “%(name)s”; %(count)s customers had it.",
        count,
        name=b.get("name") or row.get("target") or MISSING,
        count=fmt_int(count),
    )


def _tag_add(row: Row) -> str:
    a = _part(row, "after")
    return _(
        "Put the tag “%(tag)s” on %(customer)s.",
        tag=a.get("tag") or row.get("target") or MISSING,
        customer=_customer(row),
    )


def _tag_remove(row: Row) -> str:
    b = _part(row, "before")
    return _(
        "Took the tag “%(tag)s” off %(customer)s.",
        tag=b.get("tag") or row.get("target") or MISSING,
        customer=_customer(row),
    )


def _user_add(row: Row) -> str:
    a = _part(row, "after")
    return _(
        "Added the user %(email)s (%(name)s) as %(role)s.",
        email=_email(row),
        name=a.get("name") or MISSING,
        role=_role(a.get("role")),
    )


def _user_update(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    changes = []
    if "name" in a:
        changes.append(_("name from %(before)s to %(after)s", before=b.get("name") or MISSING, after=a["name"]))
    if "role" in a:
        changes.append(_("role from %(before)s to %(after)s", before=_role(b.get("role")), after=_role(a["role"])))
    if "password_set" in a:
        changes.append(_("a new password"))
    return _("Changed the user %(email)s: %(changes)s.", email=_email(row), changes="; ".join(changes) or MISSING)


def _user_role(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    return _(
        "Changed the role of %(email)s from %(before)s to %(after)s.",
        email=_email(row),
        before=_role(b.get("role")),
        after=_role(a.get("role")),
    )


def _user_password_reset(row: Row) -> str:
    return _("Reset the password of %(email)s; their sessions ended.", email=_email(row))


def _user_password_change(row: Row) -> str:
    return _("Changed their own password.")


def _user_disable(row: Row) -> str:
    return _("Disabled the user %(email)s: signed out, API tokens stopped.", email=_email(row))


def _user_enable(row: Row) -> str:
    return _("Enabled the user %(email)s again.", email=_email(row))


def _user_language(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    return _(
        "Changed the interface language from %(before)s to %(after)s.",
        before=_language(b.get("language")),
        after=_language(a.get("language")),
    )


def _user_time_zone(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    browser = _("the browser's choice")
    return _(
        "Changed the time zone from %(before)s to %(after)s.",
        before=b.get("time_zone") or browser,
        after=a.get("time_zone") or browser,
    )


def _assignment_add(row: Row) -> str:
    a = _part(row, "after")
    return _("Assigned the customer %(customer)s to %(email)s.", customer=_customer(row, a), email=_email(row, a))


def _assignment_remove(row: Row) -> str:
    b = _part(row, "before")
    return _("Removed the customer %(customer)s from %(email)s.", customer=_customer(row, b), email=_email(row, b))


def _assignment_import(row: Row) -> str:
    count = _part(row, "after").get("count")
    count = count if isinstance(count, int) else 0
    return n_(
        "The data import assigned %(count)s customer to an administrator.",
        "The data import assigned %(count)s customers to administrators.",
        count,
        count=fmt_int(count),
    )


def _token_create(row: Row) -> str:
    a = _part(row, "after")
    return _(
        "Created the API token “%(name)s” (%(prefix)s…) for %(email)s.",
        name=a.get("name") or MISSING,
        prefix=a.get("prefix") or MISSING,
        email=_email(row),
    )


def _token_revoke(row: Row) -> str:
    b = _part(row, "before")
    return _(
        "Revoked the API token “%(name)s” (%(prefix)s…) of %(email)s.",
        name=b.get("name") or MISSING,
        prefix=b.get("prefix") or MISSING,
        email=_email(row),
    )


def _token_revoke_all(row: Row) -> str:
    count = len(_part(row, "before").get("tokens") or [])
    return n_(
        "Revoked %(count)s API token of %(email)s.",
        "Revoked all %(count)s API tokens of %(email)s.",
        count,
        count=fmt_int(count),
        email=_email(row),
    )


def _session_end(row: Row) -> str:
    b = _part(row, "before")
    return _(
        "Ended a session of %(email)s that began %(when)s.", email=_email(row), when=value_text(b.get("created_at"))
    )


def _sessions_ended(row: Row, others: bool) -> str:
    count = len(_part(row, "before").get("sessions") or [])
    if others:
        return n_(
            "Ended %(count)s other session of %(email)s.",
            "Ended %(count)s other sessions of %(email)s.",
            count,
            count=fmt_int(count),
            email=_email(row),
        )
    return n_(
        "Ended %(count)s session of %(email)s.",
        "Ended all %(count)s sessions of %(email)s.",
        count,
        count=fmt_int(count),
        email=_email(row),
    )


def _note_add(row: Row) -> str:
    return _("Added a note: “%(body)s”.", body=_quote(_part(row, "after").get("body")))


def _note_edit(row: Row) -> str:
    return _(
        "Edited a note from “%(before)s” to “%(after)s”.",
        before=_quote(_part(row, "before").get("body")),
        after=_quote(_part(row, "after").get("body")),
    )


def _note_delete(row: Row) -> str:
    return _("Deleted a note: “%(body)s”.", body=_quote(_part(row, "before").get("body")))


def _follow_up_set(row: Row) -> str:
    a = _part(row, "after")
    return _("Set a follow-up for %(due)s: “%(task)s”.", due=value_text(a.get("due_date")), task=_quote(a.get("text")))


def _follow_up_done(row: Row) -> str:
    b = _part(row, "before") or _part(row, "after")
    return _(
        "Marked the follow-up of %(due)s done: “%(task)s”.",
        due=value_text(b.get("due_date")),
        task=_quote(b.get("text")),
    )


def _follow_up_clear(row: Row) -> str:
    b = _part(row, "before")
    return _(
        "Cleared the follow-up of %(due)s: “%(task)s”.", due=value_text(b.get("due_date")), task=_quote(b.get("text"))
    )


def _view_save(row: Row) -> str:
    a = _part(row, "after")
    if row.get("before"):
        return _(
            "Saved the view “%(name)s” of %(page)s again.", name=a.get("name") or MISSING, page=_page(a.get("page"))
        )
    shared = _(" It is shared with everyone.") if a.get("shared") else ""
    return (
        _("Saved the view “%(name)s” of %(page)s.", name=a.get("name") or MISSING, page=_page(a.get("page"))) + shared
    )


def _view_rename(row: Row) -> str:
    b, a = _part(row, "before"), _part(row, "after")
    return _(
        "Renamed the view “%(before)s” to “%(after)s”.", before=b.get("name") or MISSING, after=a.get("name") or MISSING
    )


def _view_share(row: Row) -> str:
    a = _part(row, "after")
    if a.get("shared"):
        return _("Shared the view “%(name)s” with everyone.", name=a.get("name") or MISSING)
    return _("Stopped sharing the view “%(name)s”.", name=a.get("name") or MISSING)


def _view_delete(row: Row) -> str:
    b = _part(row, "before")
    return _("Deleted the view “%(name)s” of %(page)s.", name=b.get("name") or MISSING, page=_page(b.get("page")))


def _view_landing(row: Row) -> str:
    a = _part(row, "after")
    if not a:
        return _("Chose to open on the home page again.")
    return _(
        "Chose to open on the view “%(name)s” of %(page)s.", name=a.get("name") or MISSING, page=_page(a.get("page"))
    )


def _rule_words(rule: dict) -> dict[str, str]:
    params = _params(rule.get("params"))
    condition = _condition(rule.get("condition"))
    return {
        "condition": f"{condition} ({params})" if params else condition,
        "channels": _channels(rule.get("channels")),
    }


def _alert_rule_create(row: Row) -> str:
    return _("Created an alert rule: %(condition)s, delivered to %(channels)s.", **_rule_words(_part(row, "after")))


def _alert_rule_delete(row: Row) -> str:
    return _("Deleted an alert rule: %(condition)s, delivered to %(channels)s.", **_rule_words(_part(row, "before")))


def _digest_subscribe(row: Row) -> str:
    return _("Subscribed to the weekly digest.")


def _digest_unsubscribe(row: Row) -> str:
    return _("Unsubscribed from the weekly digest.")


# code -> (its name in the action filter, its sentence)
ACTIONS: dict[str, tuple[str, Sentence]] = {
    "trial.start": (N_("Trial started"), _trial_start),
    "trial.extend": (N_("Trial extended"), _trial_extend),
    "tag.create": (N_("Tag created"), _tag_create),
    "tag.rename": (N_("Tag renamed"), _tag_rename),
    "tag.recolor": (N_("Tag colour changed"), _tag_recolor),
    "tag.delete": (N_("Tag deleted"), _tag_delete),
    "tag.add": (N_("Tag put on a customer"), _tag_add),
    "tag.remove": (N_("Tag taken off a customer"), _tag_remove),
    "user.add": (N_("User added"), _user_add),
    "user.update": (N_("User changed"), _user_update),
    "user.role": (N_("Role changed"), _user_role),
    "user.password_reset": (N_("Password reset"), _user_password_reset),
    "user.password_change": (N_("Own password changed"), _user_password_change),
    "user.disable": (N_("User disabled"), _user_disable),
    "user.enable": (N_("User enabled"), _user_enable),
    "user.language": (N_("Language changed"), _user_language),
    "user.time_zone": (N_("Time zone changed"), _user_time_zone),
    "assignment.add": (N_("Customer assigned"), _assignment_add),
    "assignment.remove": (N_("Assignment removed"), _assignment_remove),
    "assignment.import": (N_("Assignments imported"), _assignment_import),
    "token.create": (N_("API token created"), _token_create),
    "token.revoke": (N_("API token revoked"), _token_revoke),
    "token.revoke_all": (N_("All API tokens revoked"), _token_revoke_all),
    "session.end": (N_("Session ended"), _session_end),
    "session.end_all": (N_("All sessions ended"), lambda row: _sessions_ended(row, others=False)),
    "session.end_others": (N_("Other sessions ended"), lambda row: _sessions_ended(row, others=True)),
    "note.add": (N_("Note added"), _note_add),
    "note.edit": (N_("Note edited"), _note_edit),
    "note.delete": (N_("Note deleted"), _note_delete),
    "follow_up.set": (N_("Follow-up set"), _follow_up_set),
    "follow_up.done": (N_("Follow-up done"), _follow_up_done),
    "follow_up.clear": (N_("Follow-up cleared"), _follow_up_clear),
    "view.save": (N_("View saved"), _view_save),
    "view.rename": (N_("View renamed"), _view_rename),
    "view.share": (N_("View sharing changed"), _view_share),
    "view.delete": (N_("View deleted"), _view_delete),
    "view.landing": (N_("Opening view chosen"), _view_landing),
    "alert_rule.create": (N_("Alert rule created"), _alert_rule_create),
    "alert_rule.delete": (N_("Alert rule deleted"), _alert_rule_delete),
    "digest.subscribe": (N_("Digest subscribed"), _digest_subscribe),
    "digest.unsubscribe": (N_("Digest unsubscribed"), _digest_unsubscribe),
}


def action_label(code: str) -> str:
    """The action's name in the viewer's language (the filter's choices)."""
    known = ACTIONS.get(code)
    return _(known[0]) if known else _("Other change")


def _generic(row: Row) -> str:
    target = row.get("target")
    if target:
        return _("Made a change to %(target)s.", target=_quote(target))
    return _("Made a change.")


def sentence(row: Row) -> str:
    """What the row's change was, as one sentence in the viewer's language."""
    known = ACTIONS.get(str(row.get("action") or ""))
    return known[1](row) if known else _generic(row)
