"""'My follow-ups' on "This week": the viewer's open follow-ups due within 7
days or overdue (services.follow_ups), earliest first, each with its
customer's link, its date and, in words, how soon it is due."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from dash import dcc, html

from partnerhub.components import empty_state, fmt_date, fmt_int
from partnerhub.formatting import request_time_zone
from partnerhub.i18n import _, n_
from partnerhub.services.caller import Caller
from partnerhub.services.follow_ups import DUE_SOON_DAYS, DueFollowUp, my_follow_ups_due


def viewer_today() -> date:
    """Today where the viewer is: a follow-up is due on their calendar."""
    return datetime.now(ZoneInfo(request_time_zone())).date()


def when_text(days_left: int) -> str:
    if days_left < 0:
        return n_("overdue by %(count)s day", "overdue by %(count)s days", -days_left, count=fmt_int(-days_left))
    if days_left == 0:
        return _("due today")
    return n_("due in %(count)s day", "due in %(count)s days", days_left, count=fmt_int(days_left))


def follow_up_item(f: DueFollowUp) -> html.Li:
    overdue = f.days_left < 0
    return html.Li(
        [
            html.Div(
                [
                    dcc.Link(
                        f.customer_name, href="/customers/" + quote(f.customer_id, safe=""), className="fw-semibold"
                    ),
                    html.Span(
                        [fmt_date(f.due_date), " · ", when_text(f.days_left)],
                        className="home-follow-up-when" + (" home-follow-up-overdue" if overdue else ""),
                    ),
                ],
                className="home-follow-up-head",
            ),
            # the person's own words: shown as text, never markup
            html.Div(f.text, className="home-follow-up-text"),
        ],
        className="home-follow-up",
    )


def follow_ups_list(due: list[DueFollowUp]) -> html.Div | html.Ul:
    if not due:
        return empty_state(
            _("No follow-up of yours is due in the next 7 days."),
            _("Set a follow-up on a customer's page to see it here when it is due."),
            id="home-follow-ups-empty",
            symbol="bi-check-circle",
        )
    return html.Ul([follow_up_item(f) for f in due], className="home-follow-ups list-unstyled mb-0")


def my_follow_ups_section(caller: Caller, today: date | None = None) -> html.Div:
    due = my_follow_ups_due(caller, today or viewer_today(), DUE_SOON_DAYS)
    return html.Div(follow_ups_list(due), id="home-follow-ups-list")
