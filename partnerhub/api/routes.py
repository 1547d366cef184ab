"""/api/v1: KPIs as JSON and every dataset as CSV, XLSX or Parquet.

The caller is the signed-in session or the owner of a Bearer token (the
request guard in auth/ has already refused anonymous calls); their scope and
page rights are applied here exactly as on the pages, through the same
metrics functions.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from partnerhub.auth.guard import area_allowed
from partnerhub.auth.scope import current_scope
from partnerhub.auth.session import current_identity
from partnerhub.data.runtime import services
from partnerhub.metrics.datasets import DATASETS, kpis
from partnerhub.metrics.types import Context, View, request_context
from partnerhub.metrics.view_query import BadView, narrowed_view, read_view, tag_names

from .exports import FORMATS, MEDIA_TYPES, WRITERS
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return jsonify(error=e.message), e.status


@bp.errorhandler(BadView)
def _bad_view(e: BadView):
    # every bad value named in `error`; `parameter`: the first of them
    return jsonify(error=str(e), parameter=e.name), 400


def _context() -> Context:
    if current_identity() is None:
        raise ApiError(401, "sign in or send Authorization: Bearer <token>")
    ctx = request_context()
    if ctx is None:
        raise ApiError(503, "no data has been imported yet")
    return ctx


def build_view(ctx: Context, dataset: str | None) -> View:
    """The caller's scope (decided on the server) narrowed by the filters of
    the query string; the filters narrow every dataset, not only the list.
    Any bad value is a 400 naming it (BadView)."""
    query = read_view(request.args, dataset, lambda: tag_names(services().state)).check()
    return narrowed_view(ctx, current_scope(), query.product, query.filters, dataset)


def allowed_areas() -> set[str]:
    return {area for area in ("customers", "analytics", "calling") if area_allowed(area)}


@bp.get("/kpis")
def get_kpis():
    ctx = _context()
    view = build_view(ctx, None)
    return jsonify(kpis(ctx, view, allowed_areas()))


@bp.get("/datasets")
def list_datasets():
    _context()
    areas = allowed_areas()
    return jsonify(
        [
            {
                "name": d.name,
                "title": d.title,
                "area": d.area,
                "files": {fmt: f"/api/v1/datasets/{d.name}.{fmt}" for fmt in FORMATS},
            }
            for d in DATASETS.values()
            if d.area in areas
        ]
    )


@bp.get("/datasets/<string:filename>")
def get_dataset(filename: str):
    name, _, ext = filename.rpartition(".")
    if not name or ext not in FORMATS:
        raise ApiError(404, f"unknown file {filename!r}: ask for <dataset>.csv, .xlsx or .parquet")
    dataset = DATASETS.get(name)
    if dataset is None:
        raise ApiError(404, f"unknown dataset {name!r}")
    ctx = _context()
    if not area_allowed(dataset.area):
        raise ApiError(403, f"your role may not see {name!r}")
    result = dataset.fn(ctx, build_view(ctx, name))
    download = f"{name}_{result.as_of.isoformat()}.{ext}"
    body = WRITERS[ext](result.export())
    return Response(
        body,
        mimetype=MEDIA_TYPES[ext],
        headers={
            "Content-Disposition": f'attachment; filename="{download}"',
            "Cache-Control": "no-store",
            "X-Snapshot-Id": ctx.snapshot.id,
        },
    )


@bp.get("/openapi.json")
def get_openapi():
    return jsonify(openapi_document())


def unknown_address(rest: str = ""):
    # without this, Dash's catch-all page route would answer 200 with HTML
    return jsonify(error=f"no such address {request.path!r}"), 404


@bp.errorhandler(Exception)
def _unexpected(e):
    from werkzeug.exceptions import HTTPException

    if isinstance(e, HTTPException):
        return jsonify(error=e.description), e.code
    current_app.logger.exception("API error")
    return jsonify(error="internal error; it has been logged"), 500
