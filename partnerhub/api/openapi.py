"""The OpenAPI 3.1 description of /api/v1, built from the dataset registry so
that it lists exactly the datasets the code serves."""

from __future__ import annotations

from partnerhub.data.contract import PRODUCTS
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.definitions import STATUSES
from partnerhub.metrics.view_query import MANAGED_BY, SUBSCRIPTION_TYPES

from .exports import FORMATS, MEDIA_TYPES


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _status(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "status": {"enum": ["pending", "ready", "failed"]},
                        "status_url": {"type": "string"},
                        "file_url": {"type": "string"},
                        "filename": {"type": "string"},
                        "error": {"type": "string"},
                    },
                }
            }
        },
    }


def _param(name: str, schema: dict, description: str, repeat: bool = False) -> dict:
    if repeat:
        schema = {"type": "array", "items": schema}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **({"style": "form", "explode": True} if repeat else {}),
    }


def openapi_document() -> dict:
    filters = [
        _param(
            "managed_by",
            {"enum": list(MANAGED_BY)},
            "customers managed as part of the partner org, or externally",
            True,
        ),
        _param("status", {"enum": list(STATUSES)}, "customers having any of these statuses", True),
        _param(
            "subscription_type",
            {"enum": list(SUBSCRIPTION_TYPES)},
            "a current paid subscription / a current trial",
            True,
        ),
        _param("tag", {"type": "string"}, "customers carrying any of these custom tags", True),
        _param("q", {"type": "string", "maxLength": 200}, "case-insensitive substring of the customer name or ID"),
        _param("needs_attention", {"type": "boolean"}, "only customers that need attention"),
    ]
    toggle = _param(
        "product",
        {"enum": ["meetings", "calling"], "default": "meetings"},
        "Meetings/Calling toggle of the license sections; for the customers dataset, a filter on "
        f"products with a current line ({', '.join(PRODUCTS)}), repeatable",
    )
    errors = {
        "400": _error("a bad parameter, named in the message"),
        "401": _error("not signed in"),
        "403": _error("your role may not see this"),
        "404": _error("unknown dataset"),
        "503": _error("no data imported yet"),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partner Hub Analytics API",
            "version": "1",
            "description": "The numbers behind every page, in the viewer's scope. Authenticate with "
            "`Authorization: Bearer <token>` (create one under API tokens) or a signed-in session.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/kpis": {
                "get": {
                    "summary": "KPI groups (headline, recently_added, expiring, renewing, low_allocation, overage, call_queues)",
                    "parameters": [toggle, *filters],
                    "responses": {
                        "200": {
                            "description": "KPIs by export name; sections your role cannot see are absent",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **errors,
                    },
                }
            },
            "/api/v1/datasets": {
                "get": {
                    "summary": "The datasets you may export",
                    "responses": {
                        "200": {
                            "description": "name, title, area and file URLs",
                            "content": {"application/json": {"schema": {"type": "array"}}},
                        },
                        "401": errors["401"],
                    },
                }
            },
            "/api/v1/datasets/{name}.{format}": {
                "get": {
                    "summary": "One dataset as a file named <name>_<as_of>.<format>",
                    "parameters": [
                        {"name": "name", "in": "path", "required": True, "schema": {"enum": sorted(DATASETS)}},
                        {"name": "format", "in": "path", "required": True, "schema": {"enum": list(FORMATS)}},
                        toggle,
                        *filters,
                    ],
                    "responses": {
                        "200": {
                            "description": "the file",
                            "content": {MEDIA_TYPES[f].split(";")[0]: {} for f in FORMATS},
                        },
                        **errors,
                        "429": _error("too many heavy exports at once for you or this server; see Retry-After"),
                        "503": _error("no data imported yet, or the export could not be written; see Retry-After"),
                    },
                }
            },
            "/api/v1/exports/{name}.{format}": {
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"enum": sorted(DATASETS)}},
                    {"name": "format", "in": "path", "required": True, "schema": {"enum": list(FORMATS)}},
                    toggle,
                    *filters,
                ],
                "post": {
                    "summary": "Start writing the same file as /api/v1/datasets/{name}.{format} in the background",
                    "description": "Signed-in browsers send the session's CSRF token (X-CSRFToken); tokens need none.",
                    "responses": {
                        "200": _status("the file is written already: status ready, file_url"),
                        "202": _status("being written: status pending; ask the status address (Location) again"),
                        **errors,
                        "429": _error("too many heavy exports at once for you or this server; see Retry-After"),
                    },
                },
                "get": {
                    "summary": "Where the background file is: pending (202), ready or failed (200)",
                    "responses": {
                        "200": _status("status ready with file_url and filename, or failed with error"),
                        "202": _status("status pending"),
                        **errors,
                    },
                },
            },
        },
    }
