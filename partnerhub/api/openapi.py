"""The OpenAPI 3.1 description of /api/v1, built from the dataset registry so
that it lists exactly the datasets the code serves."""

from __future__ import annotations

from partnerhub.data.contract import PRODUCTS
from partnerhub.metrics.datasets import DATASETS
from partnerhub.metrics.definitions import STATUSES
from partnerhub.metrics.health import BANDS, REASONS
from partnerhub.metrics.view_query import MANAGED_BY, SUBSCRIPTION_TYPES
from partnerhub.services import alert_rules

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


def _ref(schema: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema}"}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def alert_schemas() -> dict:
    """AlertRule, NewAlertRule and Alert (interfaces.md "Alerts and digests")."""
    params = {
        name: {"type": "integer" if p.whole else "number", "default": p.default, "minimum": p.low, "maximum": p.high}
        for c in alert_rules.CONDITIONS.values()
        for name, p in c.params.items()
    }
    filters = {
        "type": "object",
        "properties": {
            "tag": {"type": "array", "items": {"type": "string"}},
            "managed_by": {"type": "array", "items": {"enum": list(alert_rules.MANAGED_BY)}},
            "health_band": {"type": "array", "items": {"enum": list(alert_rules.HEALTH_BANDS)}},
        },
        "additionalProperties": False,
    }
    new_rule = {
        "type": "object",
        "required": ["condition"],
        "additionalProperties": False,
        "properties": {
            "condition": {
                "enum": list(alert_rules.CONDITIONS),
                "description": "poor_call_quality and queue_abandonment only for roles that see calling",
            },
            "params": {
                "type": "object",
                "properties": params,
                "description": "the condition's own parameters; defaults for those left out",
            },
            "filters": filters,
            "channels": {"type": "array", "items": {"enum": list(alert_rules.CHANNELS)}, "default": ["inbox"]},
            "webhook_url": {"type": "string", "format": "uri", "maxLength": alert_rules.URL_MAX},
            "webhook_secret": {
                "type": "string",
                "minLength": alert_rules.SECRET_MIN,
                "maxLength": alert_rules.SECRET_MAX,
                "description": "signs each webhook body (X-PartnerHub-Signature: sha256=<hex HMAC-SHA256>); "
                "left out, one is made and returned once",
            },
        },
    }
    rule = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "condition": {"enum": list(alert_rules.CONDITIONS)},
            "params": {"type": "object"},
            "filters": filters,
            "channels": {"type": "array", "items": {"enum": list(alert_rules.CHANNELS)}},
            "webhook_url": {"type": ["string", "null"]},
            "webhook_secret": {"type": "string", "description": "only in the answer to the POST that made it"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }
    alert = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "rule_id": {"type": "integer"},
            "condition": {"enum": list(alert_rules.CONDITIONS)},
            "customer_id": {"type": "string"},
            "customer_name": {"type": "string"},
            "state": {"enum": ["open", "resolved"]},
            "values": {"type": "object", "description": "the numbers that made it fire"},
            "opened_snapshot": {"type": "string"},
            "opened_as_of": {"type": "string", "format": "date"},
            "opened_at": {"type": "string", "format": "date-time"},
            "resolved_snapshot": {"type": ["string", "null"]},
            "resolved_as_of": {"type": ["string", "null"], "format": "date"},
            "resolved_at": {"type": ["string", "null"], "format": "date-time"},
            "read": {"type": "boolean"},
        },
    }
    return {"AlertRule": rule, "NewAlertRule": new_rule, "Alert": alert}


def alert_paths() -> dict:
    """The caller's own alert rules and alerts: another person's rule is 404, as an unknown one."""
    rule_ref = _ref("AlertRule")
    own = {"401": _error("not signed in")}
    return {
        "/api/v1/alert-rules": {
            "get": {
                "summary": "Your alert rules",
                "responses": {"200": _json("your rules, oldest first", {"type": "array", "items": rule_ref}), **own},
            },
            "post": {
                "summary": "Create an alert rule of yours",
                "description": "Signed-in browsers send the session's CSRF token (X-CSRFToken); tokens need none.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NewAlertRule")}},
                },
                "responses": {
                    "201": _json("the rule, with its id (and its webhook secret, this once)", rule_ref),
                    "400": _error("a bad body: `field` names the part at fault"),
                    "403": _error("a calling condition, for a role that does not see calling"),
                    **own,
                },
            },
        },
        "/api/v1/alert-rules/{id}": {
            "get": {
                "summary": "One alert rule of yours",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _json("the rule", rule_ref), "404": _error("no rule of yours has this id"), **own},
            },
            "delete": {
                "summary": "Delete an alert rule of yours, with its alerts",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {
                    "204": {"description": "deleted"},
                    "404": _error("no rule of yours has this id"),
                    **own,
                },
            },
        },
        "/api/v1/alerts": {
            "get": {
                "summary": "Your alerts, newest first",
                "parameters": [
                    _param("state", {"enum": ["open", "resolved", "all"], "default": "open"}, "which alerts")
                ],
                "responses": {
                    "200": _json("your alerts", {"type": "array", "items": _ref("Alert")}),
                    "400": _error("a bad parameter, named in the message"),
                    **own,
                },
            }
        },
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
        _param("health_band", {"enum": list(BANDS)}, "customers in any of these health bands", True),
        _param("reason", {"enum": list(REASONS)}, "customers whose health reasons include any of these", True),
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
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
                **alert_schemas(),
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/kpis": {
                "get": {
                    "summary": "KPI groups (headline, recently_added, expiring, renewing, low_allocation, overage, "
                    "call_queues, health)",
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
            **alert_paths(),
            "/api/v1/customers/{customer_id}/notes.csv": {
                "get": {
                    "summary": "A customer's notes as CSV (customer_id, note_id, author, created_at, updated_at, body)",
                    "description": "Newest first; times in UTC. A cell a spreadsheet would read as a formula "
                    "starts with an apostrophe.",
                    "parameters": [
                        {"name": "customer_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        _param("bom", {"enum": ["true", "false"]}, "start with a UTF-8 byte-order mark (Excel)"),
                    ],
                    "responses": {
                        "200": {"description": "the file", "content": {"text/csv": {}}},
                        "400": _error("an unknown parameter, or a bad bom"),
                        "401": _error("not signed in"),
                        "404": _error("no such customer, or one outside your scope (the same answer)"),
                    },
                }
            },
        },
    }
