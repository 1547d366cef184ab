"""/api/v1: KPIs as JSON and every dataset as CSV, XLSX or Parquet.

The caller is the signed-in session or the owner of a Bearer token (the
request guard in auth/ has already refused anonymous calls); their scope and
page rights are applied here exactly as on the pages, through the same
metrics functions.
"""

from __future__ import annotations

import weakref

from flask import Blueprint, Response, current_app, jsonify, request

from partnerhub.auth.guard import area_allowed
from partnerhub.auth.scope import current_scope
from partnerhub.auth.session import current_identity
from partnerhub.data.runtime import EXTENSION, services
from partnerhub.i18n import _, n_
from partnerhub.metrics.datasets import DATASETS, kpis
from partnerhub.metrics.types import Context, View, request_context
from partnerhub.metrics.view_query import BadView, narrowed_view, read_view, tag_names

from .export_limits import RETRY_AFTER_SECONDS, ExportsBusy, ExportSlots, is_heavy
from .export_pool import ExportFailed, ExportPool
from .exports import FORMATS, MEDIA_TYPES, WRITERS, file_chunks
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# app.extensions keys: the bound on heavy exports and the XLSX writers, one each per process
SLOTS = "partnerhub.export_slots"
POOL = "partnerhub.export_pool"


@bp.record_once
def _exports_per_process(setup) -> None:
    settings = setup.app.extensions[EXTENSION].settings
    setup.app.extensions[SLOTS] = ExportSlots(
        settings.exports_per_user, settings.exports_per_process, settings.home / "locks"
    )
    setup.app.extensions[POOL] = ExportPool(settings.exports_per_process)


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
    name, _dot, ext = filename.rpartition(".")
    if not name or ext not in FORMATS:
        raise ApiError(404, f"unknown file {filename!r}: ask for <dataset>.csv, .xlsx or .parquet")
    dataset = DATASETS.get(name)
    if dataset is None:
        raise ApiError(404, f"unknown dataset {name!r}")
    ctx = _context()
    if not area_allowed(dataset.area):
        raise ApiError(403, f"your role may not see {name!r}")
    view = build_view(ctx, name)
    identity = current_identity()
    if identity is None:  # _context() has refused anonymous callers already
        raise ApiError(401, "sign in or send Authorization: Bearer <token>")
    slots: ExportSlots = current_app.extensions[SLOTS]
    # an XLSX is refused before anything is computed; a CSV or Parquet file
    # once its size is known
    slot = slots.acquire(identity.id) if is_heavy(ext, 0, 0) else None
    try:
        result = dataset.fn(ctx, view)
        frame = result.export()
        if slot is None and is_heavy(ext, frame.height, frame.width):
            slot = slots.acquire(identity.id)
        if ext == "xlsx":
            pool: ExportPool = current_app.extensions[POOL]
            body = file_chunks(pool.xlsx_file(frame))
        else:
            body = WRITERS[ext](frame)
        download = f"{name}_{result.as_of.isoformat()}.{ext}"
        response = Response(
            body,
            mimetype=MEDIA_TYPES[ext],
            headers={
                "Content-Disposition": f'attachment; filename="{download}"',
                "Cache-Control": "no-store",
                "X-Snapshot-Id": ctx.snapshot.id,
            },
        )
    except BaseException:
        if slot is not None:
            slot.release()
        raise
    if slot is not None:
        # the slot is held until the file has been sent or the client has
        # gone: the server closes the response either way (and a response
        # never closed frees it when collected)
        response.call_on_close(slot.release)
        weakref.finalize(response, slot.release)
    return response


@bp.errorhandler(ExportsBusy)
def _exports_busy(e: ExportsBusy):
    if e.limit == "per_user":
        message = n_(
            "You may run %(num)d large export at a time (an Excel file, or a CSV or Parquet file of over "
            "a million cells) and yours is still being written; try again in %(seconds)d seconds.",
            "You may run %(num)d large exports at a time (Excel files, or CSV or Parquet files of over "
            "a million cells) and yours are still being written; try again in %(seconds)d seconds.",
            e.allowed,
            seconds=e.retry_after,
        )
    else:
        message = n_(
            "The server is already writing %(num)d large export, as many as it writes at once; "
            "try again in %(seconds)d seconds.",
            "The server is already writing %(num)d large exports, as many as it writes at once; "
            "try again in %(seconds)d seconds.",
            e.allowed,
            seconds=e.retry_after,
        )
    setting = {"per_user": "PARTNERHUB_EXPORTS_PER_USER", "per_process": "PARTNERHUB_EXPORTS_PER_PROCESS"}[e.limit]
    response = jsonify(error=message, limit=setting, allowed=e.allowed, retry_after=e.retry_after)
    response.headers["Retry-After"] = str(e.retry_after)
    return response, 429


@bp.errorhandler(ExportFailed)
def _export_failed(e: ExportFailed):
    current_app.logger.error("XLSX export failed: %s", e)
    response = jsonify(error=_("The file could not be written this time; please try again."))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, 503


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
