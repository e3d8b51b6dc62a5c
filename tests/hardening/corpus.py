"""The bad-input corpus' machinery: one malformed request, how it is sent, and what must (not) happen.

Every case must get a clear 4xx; where the answer is JSON, an error naming the field (or the row and column of an
uploaded file); on a page, the page's error summary naming the field; and the database as it was. The tables
watched are those a request could write: factors, usage records and their rollups, uploads, reports, memberships
and the organisations themselves (a settings form). One change is allowed, and checked: a rejected upload leaves
one ``UsageUpload`` row with status ``rejected``, no content and no records: the record of what was refused, with
its errors, that the upload history shows (``reports.services.uploads``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

from emissions.models import EmissionFactor, UsageRollup
from reports.models import Membership, Organisation, Report, UsageRecord, UsageUpload

JSON = "application/json"


@dataclass(frozen=True)
class Bad:
    """One malformed request. ``url`` may name the test world's uploads: ``{needs_confirmation}``, ….

    ``body``: bytes or text are sent as they are; anything else as JSON. ``names``: the field the error must name
    (JSON), the ``(row, column)`` of a rejected file, or the text the page's error summary must contain.
    ``limits``: reports.ingest.limits constants lowered for the case (the upload size and row limits).
    """

    name: str
    method: str
    url: str
    body: object = None
    content_type: str | None = JSON
    status: int = 400
    names: str | tuple | None = None
    who: str = "token"  # token: the curator-admin's bearer token; session: signed in; anonymous
    limits: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name

    def payload(self) -> bytes | str | None:
        if self.body is None or isinstance(self.body, bytes | str):
            return self.body
        return json.dumps(self.body)


# -- the database, before and after ----------------------------------------------------------------------------

WATCHED = {
    EmissionFactor: ("status", "value", "value_low", "value_high", "valid_from", "valid_to", "note", "supersedes"),
    UsageRecord: ("organisation", "month", "ai_model", "region", "requests", "input_tokens", "output_tokens", "spend"),
    UsageRollup: ("organisation", "month", "records", "requests", "input_tokens", "output_tokens", "spend"),
    UsageUpload: ("status", "mode", "records_created", "records_replaced"),
    Report: ("organisation", "kind", "period_start", "fingerprint", "supersedes"),
    Membership: ("organisation", "user", "role"),
    Organisation: ("name", "slug", "baseline_year", "target_year", "reduction_target_percent", "net_zero_year",
                   "low_carbon_threshold_g_per_kwh"),
}  # fmt: skip


def database_state() -> dict[str, frozenset]:
    """Every watched row as (pk, fields…): an added, removed or changed row shows as a difference."""
    return {model.__name__: frozenset(model.objects.values_list("pk", *fields)) for model, fields in WATCHED.items()}


def unexpected_changes(before: dict[str, frozenset], after: dict[str, frozenset]) -> dict[str, set]:
    """The differences, less new uploads recording a rejection (status rejected, nothing written)."""
    changes = {}
    for table in before:
        added, removed = after[table] - before[table], before[table] - after[table]
        if table == "UsageUpload":
            added = {row for row in added if not (row[1] == UsageUpload.Status.REJECTED and row[3] == 0)}
        if added or removed:
            changes[table] = {"added": added, "removed": removed}
    return changes


# -- what the answer must say ------------------------------------------------------------------------------------


def json_problems(response) -> list[dict]:
    """The errors of a JSON 4xx body, after checking its shape: a detail, and errors with a message each."""
    body = response.json()
    assert isinstance(body, dict) and body.get("detail"), body
    assert body.get("errors") and all(e.get("message") for e in body["errors"]), body
    return body["errors"]


def names_it(errors: list[dict], names: str | tuple) -> bool:
    """True when an error is about the field (``field`` or ``column``), or the (row, column) of a file."""
    if isinstance(names, tuple):
        row, column = names
        return any(e.get("row") == row and e.get("column") == column for e in errors)
    return any(names in (e.get("field"), e.get("column")) for e in errors)


class _ErrorSummary(HTMLParser):
    """The text of a page's error summary: ``<div class="errors" role="alert">``."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if self._depth:
            self._depth += tag == "div"
        elif tag == "div" and "errors" in (dict(attrs).get("class") or "").split():
            self._depth = 1

    def handle_endtag(self, tag):
        if self._depth and tag == "div":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.text.append(data)


def error_summary(html: str) -> str:
    parser = _ErrorSummary()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())
