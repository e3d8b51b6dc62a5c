"""The OpenAI Usage API completions export, as downloaded: ``GET /v1/organization/usage/completions`` with
``group_by=model``, one page object (or a JSON list of every page).

Read: each bucket's ``start_time`` (Unix seconds, UTC; the bucket belongs to the month it starts in) and each
result's ``model``, ``num_model_requests``, ``input_tokens`` and ``output_tokens``. Results are summed per month
and model. ``input_tokens`` already includes ``input_cached_tokens`` (cached input counts as input), so the
cached count is not added again. Everything else (``input_audio_tokens``, ``output_audio_tokens``, project, user,
API key, batch, service tier, ``next_page``) is ignored. docs/usage-formats.md says the same for users.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from reports.ingest import limits
from reports.ingest.errors import ErrorLog, FileRejected
from reports.ingest.readers import decode_text, too_many_rows
from reports.ingest.values import json_kind, parse_count

RESULT_OBJECT = "organization.usage.completions.result"
COUNTS = (("num_model_requests", 0), ("input_tokens", 1), ("output_tokens", 2))


@dataclass
class ModelMonth:
    """A model's usage in one month, summed over the export's buckets."""

    bucket: int  # the first bucket it was found in (1-based, in file order): where errors point
    month: dt.date
    model: str
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


def _pages(text: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRejected(f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    pages = data if isinstance(data, list) else [data]
    for page in pages:
        if not isinstance(page, dict) or page.get("object") != "page" or not isinstance(page.get("data"), list):
            raise FileRejected(
                'This is not an OpenAI usage export: expected {"object": "page", "data": [...]} as returned by '
                "GET /v1/organization/usage/completions (or a list of such pages)."
            )
    if pages and pages[-1].get("has_more"):
        raise FileRejected(
            "The export continues (has_more is true on its last page): fetch every page, following "
            "next_page, and upload them together as a JSON list of pages."
        )
    return pages


def _bucket_month(bucket: dict, number: int, today: dt.date, errors: ErrorLog) -> dt.date | None:
    start = bucket.get("start_time")
    if isinstance(start, bool) or not isinstance(start, int):
        errors.add(number, "start_time", f"{json_kind(start)} is not a time: expected Unix seconds.")
        return None
    day = dt.datetime.fromtimestamp(start, dt.UTC).date()
    end = bucket.get("end_time")
    if isinstance(end, int) and not isinstance(end, bool) and end < start:
        errors.add(number, "end_time", f"The bucket ends ({end}) before it starts ({start}).")
    if day.replace(day=1) < limits.EARLIEST_MONTH or day > today:
        errors.add(number, "start_time", f"{day} is {'in the future' if day > today else 'too early'}.")
        return None
    return day.replace(day=1)


def read_openai_usage(content: bytes, errors: ErrorLog, today: dt.date) -> tuple[list[ModelMonth], int]:
    """Usage per month and model, and the number of results read."""
    pages = _pages(decode_text(content, "an OpenAI Usage API export (JSON)"))
    sums: dict[tuple[dt.date, str], ModelMonth] = {}
    first_bucket_of: dict[int, int] = {}
    number = results = 0
    for page in pages:
        for bucket in page["data"]:
            number += 1
            if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
                errors.add(number, "", 'A bucket is an object with "start_time", "end_time" and a "results" list.')
                continue
            start = bucket.get("start_time")
            if start in first_bucket_of:
                errors.add(
                    number,
                    "start_time",
                    f"Bucket {number} starts at the same time as bucket "
                    f"{first_bucket_of[start]}: is a page in the file twice?",
                )
                continue
            first_bucket_of.setdefault(start, number)
            month = _bucket_month(bucket, number, today, errors)
            for position, result in enumerate(bucket["results"], start=1):
                results += 1
                if results > limits.MAX_ROWS:
                    raise too_many_rows(results)
                usage = _result(result, number, position, errors)
                if usage is None or month is None:
                    continue
                model, counts = usage
                total = sums.get((month, model))
                if total is None:
                    total = sums[(month, model)] = ModelMonth(number, month, model)
                total.requests += counts[0]
                total.input_tokens += counts[1]
                total.output_tokens += counts[2]
    if not results and not errors:
        raise FileRejected("The export has no usage: no bucket has a result.")
    return list(sums.values()), results


def _result(result: object, bucket: int, position: int, errors: ErrorLog) -> tuple[str, list[int]] | None:
    where = f"result {position} of bucket {bucket}"
    if not isinstance(result, dict):
        errors.add(bucket, "results", f"{json_kind(result)} is not a result ({where}).")
        return None
    if result.get("object") != RESULT_OBJECT:
        errors.add(
            bucket,
            "object",
            f"“{result.get('object')}” is not a completions result ({where}): only the "
            "completions usage export is read.",
        )
        return None
    ok = True
    model = result.get("model")
    if not isinstance(model, str) or not model.strip():
        errors.add(bucket, "model", f"No model name ({where}): export the usage with group_by=model.")
        ok = False
    counts = [0, 0, 0]
    for key, slot in COUNTS:
        try:
            value = parse_count(result.get(key))
        except ValueError as exc:
            errors.add(bucket, key, f"{exc} ({where})")
            ok = False
            continue
        if value is None:
            errors.add(bucket, key, f"Missing ({where}).")
            ok = False
        else:
            counts[slot] = value
    return (model.strip(), counts) if ok else None
