"""The words of alert messages: e-mails (a plain-text and an HTML part) and
webhook bodies, in the recipient's language.

Call these inside `with language(code):` (partnerhub.i18n): every sentence
goes through `_`, every number through partnerhub.formatting, so an e-mail
to a Japanese user is Japanese throughout, whoever's action sent it. Links
point to the customer's page under settings.base_url (PARTNERHUB_BASE_URL).
Everything taken from the data (customer names, a rule's texts) is escaped
in the HTML part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from partnerhub.formatting import fmt_date, fmt_int
from partnerhub.i18n import _, n_

# the words of rules and alerts, shared with the Alerts page and the API
from partnerhub.services.alert_words import CONDITION_LABELS as CONDITION_LABELS
from partnerhub.services.alert_words import alert_detail as alert_detail
from partnerhub.services.alert_words import alert_fields
from partnerhub.services.alert_words import rule_title as rule_title

from . import webhook


def customer_url(base_url: str, customer_id: str) -> str:
    return f"{base_url}/customers/{quote(customer_id, safe='')}"


def alert_json(alert: Mapping, base_url: str) -> dict[str, Any]:
    """An alert as webhooks carry it, with the link to its customer."""
    return {**alert_fields(alert), "url": customer_url(base_url, alert["customer_id"])}


# ---- e-mail building blocks --------------------------------------------------------------------


def html_page(title: str, body: Markup, lang: str) -> str:
    """A whole HTML e-mail: simple markup, inline styles only (mail clients
    drop style sheets)."""
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '</head><body style="font-family:sans-serif;font-size:14px;line-height:1.5;color:#1f2328">'
        f"{body}</body></html>"
    )


def html_link(url: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, text)


def html_list(items: Iterable[Markup | str]) -> Markup:
    inner = Markup("").join(Markup("<li>{}</li>").format(i) for i in items)
    return Markup("<ul>{}</ul>").format(inner)


def alert_phrase(alert: Mapping) -> str:
    """What made the alert fire; for a resolved one, said as the past."""
    detail = alert_detail(alert["condition"], alert["values"])
    if alert["state"] == "resolved" and detail:
        return _("no longer holds (when it opened: %(detail)s)", detail=detail)
    return detail


def _alert_lines(alerts: list[dict], base_url: str) -> tuple[list[str], list[Markup]]:
    text, html = [], []
    for a in alerts:
        detail = alert_phrase(a)
        url = customer_url(base_url, a["customer_id"])
        text.append(f"- {a['customer_name']} ({a['customer_id']}): {detail}\n  {url}")
        html.append(Markup("{}: {}").format(html_link(url, a["customer_name"]), detail))
    return text, html


def alert_email(
    rule: Mapping,
    opened: list[dict],
    resolved: list[dict],
    as_of: date,
    base_url: str,
    lang: str,
) -> dict[str, Any]:
    """The e-mail of one rule's evaluation: the alerts it opened and resolved."""
    title = rule_title(rule)
    subject = _(
        "Alert: %(rule)s (opened %(opened)s, resolved %(resolved)s)",
        rule=title,
        opened=fmt_int(len(opened)),
        resolved=fmt_int(len(resolved)),
    )
    intro = _("Your alert rule “%(rule)s” on the data as of %(date)s:", rule=title, date=fmt_date(as_of))
    manage = _("Your alerts and rules: %(url)s", url=f"{base_url}/alerts")
    text = [intro, ""]
    html = [Markup("<p>{}</p>").format(intro)]
    opened_heading = n_(
        "Opened for %(count)s customer", "Opened for %(count)s customers", len(opened), count=fmt_int(len(opened))
    )
    resolved_heading = n_(
        "Resolved for %(count)s customer",
        "Resolved for %(count)s customers",
        len(resolved),
        count=fmt_int(len(resolved)),
    )
    for heading, alerts in ((opened_heading, opened), (resolved_heading, resolved)):
        if not alerts:
            continue
        lines, items = _alert_lines(alerts, base_url)
        text += [heading, *lines, ""]
        html += [Markup("<h3>{}</h3>").format(heading), html_list(items)]
    text.append(manage)
    html.append(Markup("<p>{}</p>").format(html_link(f"{base_url}/alerts", _("Your alerts and rules"))))
    return {
        "subject": subject,
        "text": "\n".join(text) + "\n",
        "html": html_page(subject, Markup("").join(html), lang),
    }


def alert_webhook(event: str, rule: Mapping, alerts: list[dict], as_of: date, base_url: str) -> dict[str, Any]:
    """The webhook body for the alerts of one rule's evaluation that opened
    (event alert.opened) or resolved (alert.resolved)."""
    title = rule_title(rule)
    if event == "alert.opened":
        head = _("Partner Hub alert opened: %(rule)s", rule=title)
    else:
        head = _("Partner Hub alert resolved: %(rule)s", rule=title)
    lines = [f"{a['customer_name']}: {alert_phrase(a)}" for a in alerts]
    text = "\n".join([head, *(f"- {line}" for line in lines)])
    markdown = "\n".join(
        [
            f"**{_md(head)}**",
            *(
                f"- [{_md(a['customer_name'])}]({customer_url(base_url, a['customer_id'])}): {_md(alert_phrase(a))}"
                for a in alerts
            ),
        ]
    )
    return webhook.message_body(
        event,
        as_of.isoformat(),
        [alert_json(a, base_url) for a in alerts],
        text,
        markdown,
        rule_id=rule["id"],
        condition=rule["condition"],
        rule=title,
    )


def _md(text: str) -> str:
    """Text for Markdown: characters that would format or link escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]()#<>!|" else ch for ch in str(text))
