"""/api/v1: KPIs as JSON and every dataset as CSV, XLSX or Parquet.

The caller is the signed-in session or the owner of a Bearer token (the
request guard in auth/ has already refused anonymous calls); their scope and
page rights are applied here exactly as on the pages, through the same
metrics functions.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import chain

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from partnerhub.auth.guard import area_allowed
from partnerhub.auth.scope import current_scope
from partnerhub.auth.session import current_identity
from partnerhub.data.runtime import EXTENSION, services
from partnerhub.i18n import _, n_
from partnerhub.metrics import cache as metrics_cache
from partnerhub.metrics.datasets import DATASETS, kpis
from partnerhub.metrics.types import Context, Result, View, request_context
from partnerhub.metrics.view_query import BadView, narrowed_view, read_view, tag_names

from . import export_jobs
from .export_cache import ExportCache, ExportKey, export_key
from .export_limits import RETRY_AFTER_SECONDS, ExportsBusy, ExportSlots, Slot, is_heavy
from .export_pool import ExportFailed, ExportPool
from .exports import FORMATS, MEDIA_TYPES, file_chunks, write_file
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# app.extensions keys: the bound on heavy exports and the XLSX writers, one
# each per process; the finished files, on disk for the whole node
SLOTS = "partnerhub.export_slots"
POOL = "partnerhub.export_pool"
CACHE = "partnerhub.export_cache"


@bp.record_once
def _exports_per_process(setup) -> None:
    settings = setup.app.extensions[EXTENSION].settings
    setup.app.extensions[SLOTS] = ExportSlots(
        settings.exports_per_user, settings.exports_per_process, settings.home / "locks"
    )
    setup.app.extensions[POOL] = ExportPool(settings.exports_per_process)
    snapshots = setup.app.extensions[EXTENSION].snapshots
    setup.app.extensions[CACHE] = ExportCache(
        settings.home / "exports", settings.export_cache_mb * 1024 * 1024, snapshots.ids
    )


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
        raise ApiError(401, _("sign in or send Authorization: Bearer <token>"))
    ctx = request_context()
    if ctx is None:
        raise ApiError(503, _("no data has been imported yet"))
    return ctx


def build_view(ctx: Context, dataset: str | None, file_options: tuple[str, ...] = ()) -> View:
    """The caller's scope (decided on the server) narrowed by the filters of
    the query string; the filters narrow every dataset, not only the list.
    Any bad value is a 400 naming it (BadView). file_options: parameters
    that shape the file, not the view (bom), checked by the caller."""
    args = request.args
    if file_options:
        args = args.copy()
        for name in file_options:
            args.poplist(name)
    query = read_view(args, dataset, lambda: tag_names(services().state)).check()
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


@dataclass(frozen=True)
class ExportRequest:
    """One file asked for: checked for role and scope, keyed for the cache."""

    name: str
    fmt: str
    fn: Callable[[Context, View], Result]
    ctx: Context
    view: View
    user_id: int
    key: ExportKey

    bom: bool = False  # a CSV that starts with UTF-8's byte-order mark (Japanese Excel)

    @property
    def download_name(self) -> str:
        return f"{self.name}_{self.ctx.as_of.isoformat()}.{self.fmt}"


def export_request(filename: str) -> ExportRequest:
    """The same checks for the file, its start and its status: a known
    dataset and format, a signed-in caller whose role may see the dataset,
    valid filters; the view is the caller's own scope narrowed by them."""
    name, _dot, ext = filename.rpartition(".")
    if not name or ext not in FORMATS:
        raise ApiError(404, _("unknown file '%(file)s': ask for <dataset>.csv, .xlsx or .parquet", file=filename))
    dataset = DATASETS.get(name)
    if dataset is None:
        raise ApiError(404, _("unknown dataset '%(name)s'", name=name))
    ctx = _context()
    if not area_allowed(dataset.area):
        raise ApiError(403, _("your role may not see '%(name)s'", name=name))
    bom = csv_bom(ext)
    view = build_view(ctx, name, file_options=(BOM_PARAMETER,))
    identity = current_identity()
    if identity is None:  # _context() has refused anonymous callers already
        raise ApiError(401, _("sign in or send Authorization: Bearer <token>"))
    scope = None if view.scope is None else sorted(view.scope)
    # the scope is in the key: a file is only ever served to viewers of the same customers
    key = export_key(
        ctx.snapshot.id,
        ext,
        name,
        scope,
        view.product,
        asdict(view.filters),
        metrics_cache.settings_key(ctx),
        metrics_cache.state_version(ctx),
    )
    return ExportRequest(name, ext, dataset.fn, ctx, view, identity.id, key, bom)


BOM_PARAMETER = "bom"
UTF8_BOM = "\ufeff".encode()


def csv_bom(fmt: str) -> bool:
    """?bom=true: the CSV starts with a byte-order mark, so that Excel reads
    it as UTF-8 (the pages' links ask for it for a Japanese user); absent or
    ?bom=false: none, the file byte for byte as it always was. Anything else,
    or bom on another format, is a 400."""
    values = request.args.getlist(BOM_PARAMETER)
    if not values:
        return False
    if len(values) > 1 or values[0] not in ("true", "false"):
        raise ApiError(400, _("bom: give true or false, not “%(value)s”.", value=",".join(values)[:40]))
    if fmt != "csv" and values[0] == "true":
        raise ApiError(400, _("bom: only a CSV file can start with a byte-order mark."))
    return values[0] == "true"


def _builder(req: ExportRequest, held: list[Slot]) -> Callable[[str], None]:
    """build(path) for the export cache: computes the frame and writes the
    file. A CSV or Parquet file takes a slot of its own once its size shows
    it is heavy (an XLSX has one already: `held`)."""

    def build(path: str) -> None:
        frame = req.fn(req.ctx, req.view).export()
        if not held and is_heavy(req.fmt, frame.height, frame.width):
            held.append(current_app.extensions[SLOTS].acquire(req.user_id))
        if req.fmt == "xlsx":
            current_app.extensions[POOL].write_xlsx(frame, path)
        else:
            write_file(frame, req.fmt, path)

    return build


def _file_response(req: ExportRequest, file) -> Response:
    chunks = file_chunks(file)
    if req.bom:
        # the cached file has no mark: one file serves both kinds of request
        chunks = chain([UTF8_BOM], chunks)
    return Response(
        chunks,
        mimetype=MEDIA_TYPES[req.fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{req.download_name}"',
            "Cache-Control": "no-store",
            "X-Snapshot-Id": req.ctx.snapshot.id,
        },
    )


@bp.get("/datasets/<string:filename>")
def get_dataset(filename: str):
    req = export_request(filename)
    cache: ExportCache = current_app.extensions[CACHE]
    file = cache.open(req.key)
    if file is not None:
        # written before for this snapshot and scope: no slot, nothing computed
        return _file_response(req, file)
    slots: ExportSlots = current_app.extensions[SLOTS]
    # an XLSX is refused before anything is computed; a CSV or Parquet file
    # once its size is known
    held: list[Slot] = [slots.acquire(req.user_id)] if is_heavy(req.fmt, 0, 0) else []
    try:
        file = cache.get_or_build(req.key, _builder(req, held))
        response = _file_response(req, file)
    except BaseException:
        for slot in held:
            slot.release()
        raise
    for slot in held:
        # the slot is held until the file has been sent or the client has
        # gone: the server closes the response either way (and a response
        # never closed frees it when collected)
        response.call_on_close(slot.release)
        weakref.finalize(response, slot.release)
    return response


def _export_status(req: ExportRequest, filename: str):
    state, reason = export_jobs.status(current_app.extensions[CACHE], req.key)
    query = request.query_string.decode()
    body: dict[str, object] = {
        "status": state,
        "status_url": url_for("api.export_status", filename=filename) + (f"?{query}" if query else ""),
    }
    if state == export_jobs.READY:
        body["file_url"] = url_for("api.get_dataset", filename=filename) + (f"?{query}" if query else "")
        body["filename"] = req.download_name
    elif state == export_jobs.FAILED:
        why = reason or {}
        if why.get("reason") == export_jobs.BUSY and why.get("limit") in ("per_user", "per_process"):
            body["error"] = busy_message(ExportsBusy(str(why["limit"]), int(why.get("allowed", 1))))
        else:
            body["error"] = _("The file could not be written this time; please try again.")
    response = jsonify(body)
    if state == export_jobs.PENDING:
        response.status_code = 202
        response.headers["Retry-After"] = "1"
        response.headers["Location"] = str(body["status_url"])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/exports/<string:filename>")
def start_export(filename: str):
    """Starts writing the file off the request threads (export_jobs.py): 202
    with the status address, or 200 "ready" when it is written already."""
    req = export_request(filename)
    cache: ExportCache = current_app.extensions[CACHE]
    if cache.path(req.key).exists() or cache.building(req.key):
        return _export_status(req, filename)
    slots: ExportSlots = current_app.extensions[SLOTS]
    held: list[Slot] = [slots.acquire(req.user_id)] if is_heavy(req.fmt, 0, 0) else []
    started = False
    try:
        claim = cache.claim(req.key)
        if claim is not None:

            def on_end() -> None:
                for slot in held:
                    slot.release()

            export_jobs.start(current_app._get_current_object(), claim, _builder(req, held), on_end)  # type: ignore[attr-defined]
            started = True  # the thread frees the slots
    finally:
        if not started:
            for slot in held:
                slot.release()
    return _export_status(req, filename)


@bp.get("/exports/<string:filename>")
def export_status(filename: str):
    """pending (202), ready (with the file's address) or failed (with why)."""
    return _export_status(export_request(filename), filename)


def busy_message(e: ExportsBusy) -> str:
    if e.limit == "per_user":
        return n_(
            "You may run %(num)d large export at a time (an Excel file, or a CSV or Parquet file of over "
            "a million cells) and yours is still being written; try again in %(seconds)d seconds.",
            "You may run %(num)d large exports at a time (Excel files, or CSV or Parquet files of over "
            "a million cells) and yours are still being written; try again in %(seconds)d seconds.",
            e.allowed,
            seconds=e.retry_after,
        )
    return n_(
        "The server is already writing %(num)d large export, as many as it writes at once; "
        "try again in %(seconds)d seconds.",
        "The server is already writing %(num)d large exports, as many as it writes at once; "
        "try again in %(seconds)d seconds.",
        e.allowed,
        seconds=e.retry_after,
    )


@bp.errorhandler(ExportsBusy)
def _exports_busy(e: ExportsBusy):
    message = busy_message(e)
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
    return jsonify(error=_("There is no such address: %(path)s.", path=request.path)), 404


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def http_error_message(e: HTTPException) -> str:
    """A sentence for an HTTP error werkzeug raises (routing, a body too
    large), in the request's language: werkzeug's own descriptions are English."""
    if e.code == 404:
        return _("There is no such address: %(path)s.", path=request.path)
    if e.code == 405:
        allowed = ", ".join(sorted(m for m in (getattr(e, "valid_methods", None) or ()) if m != "OPTIONS"))
        return _(
            "%(method)s is not allowed at %(path)s; use %(allowed)s.",
            method=request.method,
            path=request.path,
            allowed=allowed or "GET",
        )
    if e.code == 413:
        return _("The request is too large.")
    if e.code == 415:
        return _("This address does not accept that type of content.")
    return _("The request could not be answered (HTTP %(code)s).", code=e.code)


def http_error_json(e: HTTPException):
    """Every HTTP error under /api/ as JSON {"error": ...}, with werkzeug's
    headers kept (405's Allow); any other address answers as before."""
    if not is_api_path(request.path) or e.code is None:
        return e
    response = jsonify(error=http_error_message(e))
    response.status_code = e.code
    for name, value in e.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.record_once
def _api_http_errors(setup) -> None:
    # a wrong method or an unknown path fails in routing, before any
    # blueprint is chosen: only an app-wide handler sees it
    setup.app.register_error_handler(HTTPException, http_error_json)


@bp.errorhandler(Exception)
def _unexpected(e):
    if isinstance(e, HTTPException):
        return http_error_json(e)
    current_app.logger.exception("API error")
    return jsonify(error=_("Internal error; it has been logged.")), 500
