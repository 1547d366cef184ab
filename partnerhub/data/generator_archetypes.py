"""The fixed first customers of the demo data (data/generator.py).

Data only. Each archetype gives a dashboard section something to show at any
size: a current trial, lines expiring within 30 and within 31-90 days,
renewing lines, recently added lines, low-allocation and overage lines,
pending setup, suspended and expired subscriptions, customers without a recent
admin sign-in, call queues, names that must be escaped, lines without a
license_usage row in the latest or the previous week.

Days are relative to the dataset's as_of (negative = before it). The order of
the archetypes, of their subscriptions and of the products of a subscription's
lines is part of the output: every seed's files change when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class ArchetypeLine:
    licenses: int
    allocation: float  # assigned / licenses in the latest week
    # the week whose license_usage row is left out, if any
    missing_week: Literal["latest", "previous"] | None = None


@dataclass(frozen=True)
class ArchetypeSubscription:
    kind: Literal["paid", "trial"]
    status: Literal["active", "pending_setup", "suspended", "expired"]
    start: int  # start_date - as_of, in days
    end: int  # end_date - as_of, in days
    auto_renew: bool
    lines: dict[str, ArchetypeLine] = field(default_factory=dict)  # product -> line


@dataclass(frozen=True)
class Archetype:
    name: str
    japanese: bool  # Japanese name, JPY invoices and queue names
    managed_by: Literal["partner", "external"]
    signin_days_ago: float | None  # days before as_of of the last admin sign-in; None = never
    has_call_queues: bool
    subscriptions: tuple[ArchetypeSubscription, ...]


def _lines(**lines: tuple[int, float]) -> dict[str, ArchetypeLine]:
    """meetings=(licenses, allocation), ... in the order given."""
    return {product: ArchetypeLine(n, ratio) for product, (n, ratio) in lines.items()}


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        name="株式会社さくら物流",
        japanese=True,
        managed_by="partner",
        signin_days_ago=1.2,
        has_call_queues=True,
        subscriptions=(
            ArchetypeSubscription("trial", "active", -10, 50, False, _lines(meetings=(25, 0.6), calling=(10, 0.5))),
        ),
    ),
    Archetype(
        name="Northwind Logistics Ltd",
        japanese=False,
        managed_by="partner",
        signin_days_ago=3.5,
        has_call_queues=True,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -345, 20, False, _lines(meetings=(60, 0.8), calling=(25, 0.72))),
        ),
    ),
    Archetype(
        name="富士精機株式会社",
        japanese=True,
        managed_by="external",
        signin_days_ago=None,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -305, 60, False, _lines(meetings=(35, 0.7), calling=(12, 0.66))),
        ),
    ),
    Archetype(
        name="Bluepeak Analytics Inc.",
        japanese=False,
        managed_by="partner",
        signin_days_ago=41.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -340, 25, True, _lines(meetings=(120, 0.85), calling=(40, 0.75))),
            ArchetypeSubscription("paid", "active", -1020, 75, True, _lines(meetings=(15, 0.9), calling=(8, 0.8))),
        ),
    ),
    Archetype(
        name="Harbor Dental Group LLC",
        japanese=False,
        managed_by="external",
        signin_days_ago=0.8,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -12, 353, True, _lines(meetings=(45, 0.4), calling=(20, 0.3))),
        ),
    ),
    Archetype(
        name="株式会社青葉情報システム",
        japanese=True,
        managed_by="partner",
        signin_days_ago=2.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -70, 295, True, _lines(meetings=(30, 0.7), calling=(10, 0.6))),
        ),
    ),
    Archetype(
        name="Evergreen Health Partners plc",
        japanese=False,
        managed_by="partner",
        signin_days_ago=12.0,
        has_call_queues=True,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -200, 165, True, _lines(meetings=(150, 0.05), calling=(60, 0.06))),
        ),
    ),
    Archetype(
        name="合同会社みなと食品",
        japanese=True,
        managed_by="external",
        signin_days_ago=65.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription(
                "paid", "active", -400, 330, True, _lines(meetings=(40, 0.05), calling=(30, 0.05), webinars=(5, 0.4))
            ),
        ),
    ),
    Archetype(
        name="Meridian Capital Holdings AG",
        japanese=False,
        managed_by="partner",
        signin_days_ago=0.2,
        has_call_queues=True,
        subscriptions=(
            ArchetypeSubscription(
                "paid",
                "active",
                -500,
                230,
                True,
                _lines(meetings=(2500, 1.08), calling=(800, 1.12), messaging=(2500, 0.7), contact_center=(60, 0.9)),
            ),
        ),
    ),
    Archetype(
        name="株式会社北斗建設",
        japanese=True,
        managed_by="partner",
        signin_days_ago=6.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -150, 215, False, _lines(meetings=(20, 1.3), calling=(10, 1.3))),
        ),
    ),
    Archetype(
        name="Pioneer Robotics GmbH",
        japanese=False,
        managed_by="external",
        signin_days_ago=9.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription(
                "paid", "pending_setup", -5, 360, True, _lines(meetings=(50, 0.0), calling=(20, 0.0))
            ),
        ),
    ),
    Archetype(
        name="大和運輸株式会社",
        japanese=True,
        managed_by="partner",
        signin_days_ago=33.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "suspended", -160, 205, True, _lines(meetings=(30, 0.6), calling=(15, 0.5))),
        ),
    ),
    Archetype(
        name="Redwood Media Ltd",
        japanese=False,
        managed_by="external",
        signin_days_ago=None,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "expired", -385, -20, False, _lines(meetings=(25, 0.6), calling=(10, 0.5))),
            ArchetypeSubscription("trial", "expired", -460, -400, False, _lines(meetings=(10, 0.3))),
        ),
    ),
    Archetype(
        name="株式会社朝日薬品",
        japanese=True,
        managed_by="partner",
        signin_days_ago=20.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "expired", -800, -70, False, _lines(meetings=(40, 0.7), calling=(15, 0.6))),
            ArchetypeSubscription("paid", "active", -70, 295, True, _lines(meetings=(45, 0.75), calling=(15, 0.7))),
        ),
    ),
    # names that must be shown escaped, quoted in CSV, and kept as text in XLSX
    Archetype(
        name='O\'Brien, Walsh & Partners "Legal" <UK>',
        japanese=False,
        managed_by="partner",
        signin_days_ago=4.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -95, 270, True, _lines(meetings=(18, 0.75), translation=(3, 0.5))),
        ),
    ),
    Archetype(
        name="=SUM Consulting Co.",
        japanese=False,
        managed_by="external",
        signin_days_ago=7.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -600, 130, True, _lines(meetings=(12, 0.8))),
            ArchetypeSubscription("trial", "active", -20, 10, False, _lines(calling=(5, 0.4))),
        ),
    ),
    Archetype(
        name="Lakeside Textiles S.A.",
        japanese=False,
        managed_by="partner",
        signin_days_ago=15.0,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription("paid", "active", -250, 115, False, _lines(meetings=(0, 0.0), messaging=(10, 0.6))),
        ),
    ),
    # lines without a license_usage row in the latest / the previous week
    Archetype(
        name="株式会社瀬戸内観光",
        japanese=True,
        managed_by="partner",
        signin_days_ago=2.5,
        has_call_queues=False,
        subscriptions=(
            ArchetypeSubscription(
                "paid",
                "active",
                -420,
                310,
                True,
                {
                    "meetings": ArchetypeLine(22, 0.7, missing_week="latest"),
                    "calling": ArchetypeLine(8, 0.6, missing_week="previous"),
                },
            ),
            ArchetypeSubscription(
                "paid",
                "active",
                -130,
                235,
                True,
                {
                    "meetings": ArchetypeLine(14, 0.8, missing_week="previous"),
                    "calling": ArchetypeLine(6, 0.7, missing_week="latest"),
                },
            ),
        ),
    ),
)
