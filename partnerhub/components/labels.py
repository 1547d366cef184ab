"""Words for the codes of the data (spec/data-contract.md), one function per
column a page shows: {code: label} in the current request's language, in the
contract's order. Written out as literal _() calls so that the catalogue
extraction finds them; an unknown code is the caller's to show as it is.

Customer statuses (metrics.md) are not data codes: components/badges.py.
"""

from __future__ import annotations

from partnerhub.i18n import _


def product_labels() -> dict[str, str]:
    """subscription_licenses.product: all six products."""
    return {
        "meetings": _("Meetings"),
        "calling": _("Calling"),
        "messaging": _("Messaging"),
        "webinars": _("Webinars"),
        "translation": _("Translation"),
        "contact_center": _("Contact Center"),
    }


def toggle_product_labels() -> dict[str, str]:
    """The products of the Meetings / Calling toggle (metrics.types.TOGGLE_PRODUCTS;
    components import nothing of metrics, tests/test_labels.py keeps the two equal)."""
    labels = product_labels()
    return {p: labels[p] for p in ("meetings", "calling")}


def managed_by_labels() -> dict[str, str]:
    """customers.managed_by."""
    return {"partner": _("Partner org"), "external": _("External admin")}


def subscription_kind_labels() -> dict[str, str]:
    """subscriptions.kind."""
    return {"paid": _("Paid"), "trial": _("Trial")}


def subscription_status_labels() -> dict[str, str]:
    """subscriptions.status."""
    return {
        "active": _("Active"),
        "pending_setup": _("Pending setup"),
        "suspended": _("Suspended"),
        "expired": _("Expired"),
    }


def endpoint_type_labels() -> dict[str, str]:
    """call_quality.endpoint_type."""
    return {
        "desk_phone": _("Desk phone"),
        "webex_app_desktop": _("Webex App (desktop)"),
        "webex_app_mobile": _("Webex App (mobile)"),
        "room_device": _("Room device"),
        "analog_adapter": _("Analog adapter"),
        "third_party": _("Third-party device"),
    }


def feature_labels() -> dict[str, str]:
    """calling_features.feature."""
    return {
        "call_queue": _("Call queue"),
        "hunt_group": _("Hunt group"),
        "auto_attendant": _("Auto attendant"),
        "call_park": _("Call park"),
        "call_pickup": _("Call pickup"),
        "voicemail": _("Voicemail"),
        "call_recording": _("Call recording"),
        "paging": _("Paging"),
    }
