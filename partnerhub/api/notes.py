"""GET /api/v1/customers/<customer_id>/notes.csv: a customer's notes, the
"Download notes (CSV)" link of the customer page.

Whoever sees the customer may download its notes (session or API token);
a customer out of the caller's scope answers 404 with the words of an
unknown one. Errors are JSON {"error": ...}, as everywhere under /api/.
"""

from __future__ import annotations

import io
import re

import polars as pl
from flask import Blueprint, Response, jsonify, request

from partnerhub.auth.guard import Refused, area_allowed
from partnerhub.i18n import _
from partnerhub.services import notes
from partnerhub.services.caller import current_caller

from .exports import MEDIA_TYPES
from .routes import UTF8_BOM, ApiError, _context, _unexpected, csv_bom

bp = Blueprint("api_notes", __name__, url_prefix="/api/v1")

# A cell a spreadsheet would read as a formula ("=HYPERLINK(…)", "+1", "@SUM"):
# notes are free text from other people, so such a cell gets a leading
# apostrophe, which spreadsheets show as text (OWASP "CSV injection").
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
TEXT_COLUMNS = ("author", "body")


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START.pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in TEXT_COLUMNS
    )


def notes_csv(frame: pl.DataFrame) -> bytes:
    """The notes frame (services.notes.notes_frame) as CSV, times in UTC ISO 8601."""
    frame = _as_text(frame).with_columns(
        pl.col(c).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ") for c in ("created_at", "updated_at")
    )
    buf = io.BytesIO()
    frame.write_csv(buf)
    return buf.getvalue()


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return jsonify(error=e.message), e.status


bp.register_error_handler(Exception, _unexpected)


@bp.get("/customers/<string:customer_id>/notes.csv")
def get_notes_csv(customer_id: str):
    ctx = _context()
    if not area_allowed("customers"):
        raise ApiError(403, _("Your role may not see customers."))
    bom = csv_bom("csv")
    unknown = set(request.args) - {"bom"}
    if unknown:
        raise ApiError(400, _("Unknown parameter: %(names)s.", names=", ".join(sorted(unknown))[:200]))
    try:
        frame = notes.notes_frame(current_caller(), customer_id)
    except Refused as e:
        raise ApiError(e.status, e.message) from None
    body = notes_csv(frame)
    return Response(
        (UTF8_BOM if bom else b"") + body,
        mimetype=MEDIA_TYPES["csv"],
        headers={
            "Content-Disposition": f'attachment; filename="notes_{_safe(customer_id)}_{ctx.as_of.isoformat()}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _safe(customer_id: str) -> str:
    """The customer id as a file name may hold it."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", customer_id)[:80]
