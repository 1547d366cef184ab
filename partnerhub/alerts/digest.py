"""The weekly digest: for each person who opted in (Account page), once per
snapshot, an e-mail in their language about their own scope:

- customer health and headline KPIs, each with its change since the kept
  snapshot a week earlier (metrics/changes.py);
- the ten customers with the lowest health, with the reasons in words
  (metrics/health_reasons.py);
- the alerts of their rules that opened or resolved on this snapshot;
- their follow-ups due within a week, or overdue;
- the worklist (their at-risk and watch customers, the customer_health
  export's columns) attached as CSV, with a byte-order mark for a Japanese
  reader (Excel reads UTF-8 then), as the API's ?bom=true.

Every number is the one the pages show: the same metrics functions, for the
person's scope as it is now. The dedupe key digest:<user>:<snapshot>:email
makes it once per person and snapshot, whoever runs it and how often.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from markupsafe import Markup

from partnerhub.auth.scope import scope_for
from partnerhub.data import alerts as store
from partnerhub.data.alerts import NewDelivery
from partnerhub.data.runtime import Services
from partnerhub.formatting import fmt_change, fmt_date, fmt_int, fmt_number
from partnerhub.i18n import N_, _, language, n_
from partnerhub.metrics.changes import previous_context, week_on_week
from partnerhub.metrics.health import EXPORT_COLUMNS, customer_health, health_kpis
from partnerhub.metrics.health_reasons import band_label, reason_sentences
from partnerhub.metrics.licenses import headline
from partnerhub.metrics.types import Context, View
from partnerhub.services.caller import Caller
from partnerhub.services.follow_ups import my_follow_ups_due

from . import messages

LOWEST = 10  # customers listed by lowest health
WORKLIST_BANDS = ("at_risk", "watch")
BOM = "\ufeff".encode()

HEALTH_LABELS = {
    "scored_customers": N_("Customers with a health score"),
    "at_risk_customers": N_("At risk"),
    "watch_customers": N_("Watch"),
    "healthy_customers": N_("Healthy"),
    "average_health_score": N_("Average health score"),
    "licenses_at_risk": N_("Licenses of customers at risk"),
}
# the analytics page's words for the headline KPIs
HEADLINE_LABELS = {
    "total_customers": N_("Total customers"),
    "expiring_customers": N_("Expiring in 90 days"),
    "renewing_customers": N_("Renewing in 90 days"),
    "low_allocation_customers": N_("Low license allocation"),
    "overage_customers": N_("Over the license limit"),
}


def dedupe_key(user_id: int, snapshot_id: str) -> str:
    return f"digest:{user_id}:{snapshot_id}:email"


def worklist_csv(frame: pl.DataFrame, bom: bool) -> bytes:
    """The worklist rows as the customer_health export writes them."""
    buf = io.BytesIO()
    frame.select(EXPORT_COLUMNS).write_csv(buf)
    return (BOM if bom else b"") + buf.getvalue()


def _kpi_lines(labels: dict[str, str], now: dict, change: dict) -> list[tuple[str, str, str]]:
    out = []
    for key, label in labels.items():
        value, delta = now.get(key), change.get(key)
        if key == "average_health_score":
            shown = fmt_number(value, 1)
            moved = "" if delta is None else ("+" if delta > 0 else "") + fmt_number(delta, 1)
        else:
            shown, moved = fmt_int(value), ("" if delta is None else fmt_change(delta))
        out.append((_(label), shown, moved))
    return out


def digest_email(
    svc: Services,
    ctx: Context,
    previous: Context | None,
    user: dict,
    scope: frozenset[str] | None,
    lang: str,
    today: date,
) -> dict[str, Any]:
    """The digest's e-mail payload for one person (call inside `with language(...)`)."""
    base = svc.settings.base_url
    view = View(scope=scope)
    health = customer_health(ctx, view)
    kpis, health_change = week_on_week(health_kpis, ctx, previous, view)
    head, head_change = week_on_week(headline, ctx, previous, view)

    rules = {r["id"]: r for r in store.list_rules(svc.state, user["id"])}
    # of customers in their scope now only (one that left it is not named)
    mine = [a for a in store.list_alerts(svc.state, user["id"], "all") if scope is None or a["customer_id"] in scope]
    opened = [a for a in mine if a["opened_snapshot"] == ctx.snapshot.id]
    resolved = [a for a in mine if a["resolved_snapshot"] == ctx.snapshot.id]
    caller = Caller(user["email"], user["role"], scope, svc.state, ctx.snapshot, user["id"])
    due = my_follow_ups_due(caller, today)
    worklist = health.frame.filter(pl.col("health_band").is_in(WORKLIST_BANDS))
    lowest = health.frame.head(LOWEST).to_dicts()

    at_risk = int(kpis.get("at_risk_customers") or 0)
    subject = n_(
        "Weekly digest, data as of %(date)s: %(count)s customer at risk",
        "Weekly digest, data as of %(date)s: %(count)s customers at risk",
        at_risk,
        date=fmt_date(ctx.as_of),
        count=fmt_int(at_risk),
    )
    text: list[str] = [_("Your customers this week (data as of %(date)s).", date=fmt_date(ctx.as_of)), ""]
    html: list[Markup] = [Markup("<p>{}</p>").format(text[0])]
    if previous is None:
        note = _("No snapshot of a week earlier is kept, so no changes are shown.")
        text += [note, ""]
        html.append(Markup("<p>{}</p>").format(note))

    def section(title: str, lines: list[str], items: Sequence[Markup | str]) -> None:
        text.extend([title, *lines, ""])
        html.extend([Markup("<h3>{}</h3>").format(title), messages.html_list(items) if items else Markup("")])

    def kpi_section(title: str, rows: list[tuple[str, str, str]]) -> None:
        lines = [f"- {label}: {value}" + (f" ({moved})" if moved else "") for label, value, moved in rows]
        section(title, lines, [line[2:] for line in lines])

    kpi_section(_("Customer health"), _kpi_lines(HEALTH_LABELS, kpis, health_change))
    kpi_section(_("Headline"), _kpi_lines(HEADLINE_LABELS, head, head_change))

    lines: list[str] = []
    items: list[Markup | str] = []
    for row in lowest:
        url = messages.customer_url(base, row["customer_id"])
        score = _(
            "health score %(score)s (%(band)s)", score=fmt_int(row["health_score"]), band=band_label(row["health_band"])
        )
        why = "; ".join(reason_sentences(row))
        said = f"{score}" + (f": {why}" if why else "")
        lines.append(f"- {row['customer_name']} ({row['customer_id']}), {said}\n  {url}")
        items.append(Markup("{}, {}").format(messages.html_link(url, row["customer_name"]), said))
    if not lowest:
        lines = items = [_("No customer of yours has a health score.")]
    section(_("Lowest health"), lines, items)

    def alert_items(alerts: list[dict]) -> tuple[list[str], list[Markup | str]]:
        lines: list[str] = []
        items: list[Markup | str] = []
        for a in alerts:
            rule = rules.get(a["rule_id"])
            title = messages.rule_title(rule) if rule else a["condition"]
            detail = messages.alert_phrase(a)
            url = messages.customer_url(base, a["customer_id"])
            lines.append(f"- {a['customer_name']}: {title}: {detail}\n  {url}")
            items.append(Markup("{}: {}: {}").format(messages.html_link(url, a["customer_name"]), title, detail))
        return lines, items

    for title, alerts, none in (
        (_("Alerts opened this week"), opened, _("No alert of yours opened.")),
        (_("Alerts resolved this week"), resolved, _("No alert of yours resolved.")),
    ):
        found, listed = alert_items(alerts)
        section(title, found or [none], listed or [none])

    lines, items = [], []
    for f in due:
        url = messages.customer_url(base, f.customer_id)
        when = fmt_date(f.due_date)
        lines.append(f"- {when} {f.customer_name}: {f.text}\n  {url}")
        items.append(Markup("{} {}: {}").format(when, messages.html_link(url, f.customer_name), f.text))
    none = _("No follow-up of yours is due in the next 7 days.")
    section(_("Follow-ups due"), lines or [none], items or [none])

    attached = n_(
        "The worklist is attached: %(count)s customer at risk or on watch.",
        "The worklist is attached: %(count)s customers at risk or on watch.",
        worklist.height,
        count=fmt_int(worklist.height),
    )
    text += [attached, _("Your customers: %(url)s", url=f"{base}/customers")]
    html.append(Markup("<p>{}</p>").format(attached))
    html.append(Markup("<p>{}</p>").format(messages.html_link(f"{base}/customers", _("Your customers"))))
    content = worklist_csv(worklist, bom=lang == "ja")
    return {
        "subject": subject,
        "text": "\n".join(text) + "\n",
        "html": messages.html_page(subject, Markup("").join(html), lang),
        "attachments": [
            {
                "filename": f"worklist-{ctx.as_of.isoformat()}.csv",
                "content_type": "text/csv",
                "content": base64.b64encode(content).decode("ascii"),
            }
        ],
    }


def queue_digests(svc: Services, ctx: Context, now: datetime) -> int:
    """Queues the digest of ctx's snapshot for every subscriber who has not
    had it; how many were queued. Nothing without an SMTP server."""
    if svc.settings.smtp is None:
        return 0
    previous = previous_context(ctx, svc.snapshots)
    items = []
    for user in store.digest_subscribers(svc.state):
        key = dedupe_key(user["id"], ctx.snapshot.id)
        if store.delivery_by_key(svc.state, key) is not None:
            continue  # queued by an earlier run: not written again
        scope = scope_for(svc.state, user["email"], user["role"])
        with language(user["language"]) as lang:
            payload = digest_email(svc, ctx, previous, user, scope, lang, now.date())
        items.append(NewDelivery("email", "digest", key, user["email"], payload, user_id=user["id"]))
    return store.enqueue(svc.state, items, now) if items else 0
