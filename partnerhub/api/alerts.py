"""/api/v1/alert-rules and /api/v1/alerts: a person's own alert rules and
alerts (spec/interfaces.md "Alerts and digests").

The caller is the signed-in session or the owner of a Bearer token (the
request guard has refused anonymous calls already); everything goes through
the application layer (services/alert_rules.py, services/alert_inbox.py),
which acts on the caller's own rules and alerts only: another person's rule
answers 404, exactly like one that does not exist. Every answer is JSON;
a bad body is a 400 naming the field at fault, whatever its JSON shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from partnerhub.auth.guard import Refused
from partnerhub.i18n import _
from partnerhub.services import alert_inbox, alert_rules
from partnerhub.services.alert_words import alert_fields, iso_text
from partnerhub.services.caller import current_caller

from .routes import http_error_json

bp = Blueprint("api_alerts", __name__, url_prefix="/api/v1")

# the body of POST /api/v1/alert-rules (interfaces.md)
RULE_FIELDS = ("condition", "params", "filters", "channels", "webhook_url", "webhook_secret")
ALERT_PARAMETERS = ("state",)


class BadBody(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@bp.errorhandler(Refused)
def _refused(e: Refused):
    return jsonify(error=e.message), e.status


@bp.errorhandler(alert_rules.BadRule)
def _bad_rule(e: alert_rules.BadRule):
    return jsonify(error=str(e), field=e.field), 400


@bp.errorhandler(BadBody)
def _bad_body(e: BadBody):
    body: dict[str, Any] = {"error": str(e)}
    if e.field is not None:
        body["field"] = e.field
    return jsonify(body), 400


@bp.errorhandler(ValueError)
def _bad_value(e: ValueError):
    return jsonify(error=str(e)), 400


@bp.errorhandler(Exception)
def _unexpected(e: Exception):
    if isinstance(e, HTTPException):
        return http_error_json(e)
    current_app.logger.exception("API error")
    return jsonify(error=_("Internal error; it has been logged.")), 500


def rule_json(rule: Mapping) -> dict[str, Any]:
    """A rule as the API shows it (its webhook secret only once, on creation)."""
    shown = {
        "id": rule["id"],
        "condition": rule["condition"],
        "params": dict(rule["params"]),
        "filters": dict(rule["filters"]),
        "channels": list(rule["channels"]),
        "webhook_url": rule.get("webhook_url"),
        "created_at": iso_text(rule.get("created_at")),
        "updated_at": iso_text(rule.get("updated_at")),
    }
    if rule.get("webhook_secret"):
        shown["webhook_secret"] = rule["webhook_secret"]
    return shown


def alert_json(alert: Mapping) -> dict[str, Any]:
    """An alert as the API shows it: read or not by the caller besides."""
    return {**alert_fields(alert), "read": alert["read_at"] is not None}


def _rule_body() -> dict:
    """The JSON object of a new rule; BadBody for anything else."""
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        body = None
    if not isinstance(body, dict):
        raise BadBody(
            _('Send the rule as a JSON object: {"condition": …, "params": {…}, "filters": {…}, "channels": […]}.')
        )
    unknown = [str(k) for k in body if k not in RULE_FIELDS]
    if unknown:
        raise BadBody(
            _(
                "“%(name)s” is not a field of an alert rule: use %(names)s.",
                name=unknown[0][:40],
                names=", ".join(RULE_FIELDS),
            ),
            unknown[0][:40],
        )
    if "condition" not in body:
        raise BadBody(_("Name the rule's condition in the field “condition”."), "condition")
    return body


@bp.get("/alert-rules")
def list_rules():
    return jsonify([rule_json(r) for r in alert_rules.list_rules(current_caller())])


@bp.post("/alert-rules")
def create_rule():
    caller = current_caller()
    body = _rule_body()
    channels = body.get("channels")
    outcome = alert_rules.create(
        caller,
        body["condition"],
        params=body.get("params"),
        filters=body.get("filters"),
        channels=("inbox",) if channels is None else channels,
        webhook_url=body.get("webhook_url"),
        webhook_secret=body.get("webhook_secret"),
    )
    assert outcome.value is not None  # create returns the rule it made
    response = jsonify(rule_json(outcome.value))
    response.status_code = 201
    response.headers["Location"] = f"{request.base_url.rstrip('/')}/{outcome.value['id']}"
    return response


@bp.get("/alert-rules/<int:rule_id>")
def get_rule(rule_id: int):
    return jsonify(rule_json(alert_rules.get_rule(current_caller(), rule_id)))


@bp.delete("/alert-rules/<int:rule_id>")
def delete_rule(rule_id: int):
    alert_rules.delete(current_caller(), rule_id)
    return Response(status=204)


@bp.get("/alerts")
def list_alerts():
    caller = current_caller()
    unknown = sorted(k for k in request.args if k not in ALERT_PARAMETERS)
    if unknown:
        raise BadBody(_("“%(name)s” is not a parameter here: use state.", name=unknown[0][:40]), unknown[0][:40])
    states = request.args.getlist("state")
    if len(states) > 1:
        raise BadBody(_("Give state once: open, resolved or all."), "state")
    which = states[0] if states else "open"
    if which not in alert_inbox.STATES:
        raise BadBody(_("“%(value)s” is not a state of alerts: use open, resolved or all.", value=which[:40]), "state")
    return jsonify([alert_json(a) for a in alert_inbox.list_alerts(caller, which)])
