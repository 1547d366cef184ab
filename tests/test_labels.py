"""components/labels.py names every code of the contract's columns, in the
contract's order, and nothing else."""

from __future__ import annotations

import pytest

from partnerhub.components import labels as L
from partnerhub.data.contract import BY_NAME
from partnerhub.metrics.types import TOGGLE_PRODUCTS


def values(table: str, column: str) -> tuple[str, ...]:
    return next(c.values for c in BY_NAME[table].columns if c.name == column)


@pytest.mark.parametrize(
    "labels, table, column",
    [
        (L.product_labels, "subscription_licenses", "product"),
        (L.managed_by_labels, "customers", "managed_by"),
        (L.subscription_kind_labels, "subscriptions", "kind"),
        (L.subscription_status_labels, "subscriptions", "status"),
        (L.endpoint_type_labels, "call_quality", "endpoint_type"),
        (L.feature_labels, "calling_features", "feature"),
    ],
)
def test_labels_name_every_code_of_their_column(labels, table, column):
    got = labels()
    assert tuple(got) == values(table, column)
    assert all(isinstance(text, str) and text for text in got.values())


def test_toggle_labels_are_the_product_labels_of_the_toggle():
    assert tuple(L.toggle_product_labels()) == TOGGLE_PRODUCTS
    assert L.toggle_product_labels().items() <= L.product_labels().items()
