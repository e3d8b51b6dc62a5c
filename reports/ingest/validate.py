"""Checking every row of a file and turning the good ones into monthly, tier-tagged records.

One pass over the rows: each row is read (``values``, ``periods``), its model resolved (``resolve``), its tier
decided and its period split into months; records go into a ``RecordBatch``. After the pass: duplicates, totals
that would overflow, and spend-based rows whose currency has no spend factor in force. The result says what the
upload does next: reject (any error), ask to confirm model names (proposals), or write the batch.

Data-quality tiers (GHG Protocol Scope 3 data hierarchy, best first):

- token-level: ``input_tokens`` and/or ``output_tokens`` given (a missing count is 0; ``requests`` too);
- request-level: only ``requests``: tokens = requests x the model's typical request
  (``emissions.engine.TYPICAL_REQUESTS[model.task]``);
- spend-based: only ``spend`` and ``currency``: no usage; CO2e = spend x the spend factor in force for the
  currency on the first day of the month (applied when read, ``reports.footprint_rows``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from reports.ingest import limits
from reports.ingest.batch import NO_SPEND, REQUEST, SPEND, TOKEN, RecordBatch
from reports.ingest.catalogue import Catalogue, CatalogueModel
from reports.ingest.duplicates import KeyLog, find_duplicates
from reports.ingest.errors import ErrorLog
from reports.ingest.openai import ModelMonth, read_openai_usage
from reports.ingest.periods import largest_remainder, month_end, month_spans, parse_date, parse_month
from reports.ingest.readers import USAGE_COLUMNS, csv_rows, json_rows
from reports.ingest.resolve import ModelResolver, Resolution, mapping_key
from reports.ingest.values import parse_count, parse_currency, parse_spend, parse_text, spend_text
from reports.models import UsageUpload

Format = UsageUpload.Format
SpendFactorCheck = Callable[[set[tuple[str, dt.date]]], set[tuple[str, dt.date]]]  # -> the keys with a factor
CACHE_LIMIT = 100_000  # distinct periods / names / regions remembered; beyond it, values are parsed every time
ROW_LABELS = {Format.CSV: "row", Format.JSON: "record", Format.OPENAI: "bucket"}


@dataclass
class Validation:
    rows: int  # rows read (CSV rows, JSON records, OpenAI results)
    errors: ErrorLog
    proposals: dict[str, str]  # name in the file -> proposed catalogue slug, to confirm
    batch: RecordBatch  # complete only when there are neither errors nor proposals

    @property
    def ok(self) -> bool:
        return not self.errors and not self.proposals


def validate_file(
    content: bytes,
    file_format: str,
    *,
    catalogue: Catalogue,
    confirmed: dict[str, str],
    today: dt.date,
    spend_factors: SpendFactorCheck,
    progress: Callable[[int], None] | None = None,
) -> Validation:
    """Check a whole file. Raises ``FileRejected`` when the file cannot be read at all."""
    errors = ErrorLog()
    checker = RowChecker(catalogue, ModelResolver(catalogue, confirmed), today, errors, ROW_LABELS[file_format])
    if file_format == Format.OPENAI:
        model_months, results = read_openai_usage(content, errors, today)
        for usage in model_months:
            checker.add_model_month(usage)
        checker.rows = results
    else:
        if file_format == Format.CSV:
            present, rows = csv_rows(content, errors)
            check_header(present, errors)
        else:
            rows = json_rows(content, errors)
        if not errors:
            step = limits.PROGRESS_EVERY_ROWS
            add = checker.add
            for number, values in rows:
                add(number, values)
                if progress and checker.rows % step == 0:
                    progress(checker.rows)
        if not checker.rows and not errors:
            errors.add(
                None,
                "",
                "The file has no rows of usage." if file_format == Format.CSV else "The file has no records of usage.",
            )
    checker.finish(spend_factors)
    return Validation(checker.rows, errors, checker.proposals, checker.batch)


def check_header(present: set[str], errors: ErrorLog) -> None:
    """Required columns: a period, a model and at least one kind of usage."""
    if "month" not in present:
        if "start" in present and "end" not in present:
            errors.add(1, "end", "Missing column: end (a period given by start also needs its end).")
        elif "end" in present and "start" not in present:
            errors.add(1, "start", "Missing column: start (a period given by end also needs its start).")
        elif "start" not in present:
            errors.add(1, "month", "Missing column: month (YYYY-MM), or start and end (YYYY-MM-DD).")
    if "model" not in present and "model_name" not in present:
        errors.add(1, "model", "Missing column: model (a catalogue slug), or vendor and model_name.")
    if not present.intersection(USAGE_COLUMNS):
        errors.add(
            1,
            "requests",
            "Missing column: give at least one of requests, input_tokens, output_tokens, or spend with currency.",
        )


def _cached(cache: dict, key: tuple, compute: Callable[[], object]) -> object:
    try:
        return cache[key]
    except KeyError:
        value = compute()
        if len(cache) < CACHE_LIMIT:
            cache[key] = value
        return value
    except TypeError:  # a JSON list or object in a cell: not hashable, and an error anyway
        return compute()


@dataclass(frozen=True)
class NamedModel:
    name: str  # as the file names it (the key of the confirmation mapping)
    resolution: Resolution


class PeriodError(list):
    """(column, message) pairs: what is wrong with a row's period."""


class RowChecker:
    def __init__(self, catalogue: Catalogue, resolver: ModelResolver, today: dt.date, errors: ErrorLog, label: str):
        self.catalogue = catalogue
        self.resolver = resolver
        self.today = today
        self.errors = errors
        self.label = label
        self.batch = RecordBatch()
        self.keys = KeyLog()
        self.proposals: dict[str, str] = {}
        self.rows = 0
        self.totals = {"requests": 0, "input_tokens": 0, "output_tokens": 0}
        self._spend_rows: dict[tuple[str, int], list[int]] = {}  # (currency, month ordinal) -> rows
        self._collect = True  # records are kept until the first error or proposal: after it, none is written
        self._periods: dict = {}
        self._models: dict = {}
        self._regions: dict = {}
        self._model_months: dict[tuple[int, CatalogueModel], list[int]] = {}

    # -- one row ---------------------------------------------------------------------------------------------

    def add(self, row: int, values: tuple) -> None:
        self.rows += 1
        month, start, end, model, vendor, model_name, region, requests, input_tokens, output_tokens, spend, currency = (
            values
        )
        errors = self.errors
        before = errors.total
        period = _cached(self._periods, (month, start, end), lambda: self._period(month, start, end))
        if isinstance(period, PeriodError):
            for column, message in period:
                errors.add(row, column, message)
        found = _cached(self._models, (model, vendor, model_name), lambda: self._model(model, vendor, model_name))
        if isinstance(found, tuple):
            errors.add(row, *found)
        else:
            name, found = found.name, found.resolution
        region_id = self._region(row, region)
        requests = self._count(row, "requests", requests)
        input_tokens = self._count(row, "input_tokens", input_tokens)
        output_tokens = self._count(row, "output_tokens", output_tokens)
        spend_units = self._spend(row, spend)
        currency_code = self._currency(row, currency)
        if input_tokens is not None or output_tokens is not None:
            tier = TOKEN
        elif requests is not None:
            tier = REQUEST
        elif spend_units is not None:
            tier = SPEND
        else:
            tier = None
            if errors.total == before:
                errors.add(
                    row,
                    "requests",
                    "No usage: give input_tokens and/or output_tokens (token-level), "
                    "requests (request-level), or spend and currency (spend-based).",
                )
        if spend_units is not None and currency_code is None:
            errors.add(
                row, "currency", f"Spend {spend_text(spend_units)} has no currency: give its ISO 4217 code, e.g. USD."
            )
        if errors.total != before:
            self._collect = False
            return
        if found.pending:
            self.proposals.setdefault(name, found.model.slug)
            self._collect = False
            return
        self._accept(
            row, period, found.model, region_id, tier, requests, input_tokens, output_tokens, spend_units, currency_code
        )

    def _accept(
        self,
        row,
        period,
        model: CatalogueModel,
        region_id,
        tier,
        requests,
        input_tokens,
        output_tokens,
        spend_units,
        currency,
    ) -> None:
        first_day, last_day, spans = period
        self.keys.add(row, first_day, last_day, model.id, region_id or 0)
        requests = requests or 0
        if tier == REQUEST:
            largest = max(model.typical_input_tokens, model.typical_output_units)
            if requests * largest > limits.MAX_COUNT:
                self.errors.add(
                    row,
                    "requests",
                    f"{requests:,} requests of {largest:,} tokens each are more than "
                    f"{limits.MAX_COUNT:,} tokens (a 64-bit integer).",
                )
                self._collect = False
                return
            input_tokens = requests * model.typical_input_tokens
            output_tokens = requests * model.typical_output_units
        else:
            input_tokens, output_tokens = input_tokens or 0, output_tokens or 0
        self.totals["requests"] += requests
        self.totals["input_tokens"] += input_tokens
        self.totals["output_tokens"] += output_tokens
        if tier == SPEND:
            for month, _ in spans:
                rows = self._spend_rows.setdefault((currency, month), [])
                if len(rows) < limits.MAX_ERRORS_LISTED:
                    rows.append(row)
        if not self._collect:
            return
        region = region_id if region_id is not None else model.default_region_id
        spend = NO_SPEND if spend_units is None else spend_units
        append = self.batch.append
        if len(spans) == 1:
            append(
                row,
                spans[0][0],
                model.id,
                region or 0,
                region_id is None,
                tier,
                requests,
                input_tokens,
                output_tokens,
                spend,
                currency or "",
            )
            return
        weights = [days for _, days in spans]
        split_requests = largest_remainder(requests, weights)
        if tier == REQUEST:
            split_input = [r * model.typical_input_tokens for r in split_requests]
            split_output = [r * model.typical_output_units for r in split_requests]
        else:
            split_input = largest_remainder(input_tokens, weights)
            split_output = largest_remainder(output_tokens, weights)
        split_spend = [NO_SPEND] * len(spans) if spend_units is None else largest_remainder(spend_units, weights)
        for i, (month, _) in enumerate(spans):
            append(
                row,
                month,
                model.id,
                region or 0,
                region_id is None,
                tier,
                split_requests[i],
                split_input[i],
                split_output[i],
                split_spend[i],
                currency or "",
            )

    def add_model_month(self, usage: ModelMonth) -> None:
        """One (month, model name) sum of an OpenAI export. Snapshots of one model (gpt-4o-2024-08-06 and
        gpt-4o-2024-11-20) add up into one record: token-level, region not given."""
        found = self.resolver.resolve_openai(usage.model)
        if found.unknown:
            self.errors.add(usage.bucket, "model", self._unknown(usage.model))
        elif found.pending:
            self.proposals.setdefault(usage.model, found.model.slug)
        else:
            key = (usage.month.toordinal(), found.model)
            total = self._model_months.setdefault(key, [usage.bucket, 0, 0, 0])
            total[1] += usage.requests
            total[2] += usage.input_tokens
            total[3] += usage.output_tokens

    def _write_model_months(self) -> None:
        for (month, model), (bucket, requests, input_tokens, output_tokens) in self._model_months.items():
            too_large = [c for c, v in zip(self.totals, (requests, input_tokens, output_tokens), strict=True)
                         if v > limits.MAX_COUNT]  # fmt: skip
            for column in too_large:
                self.errors.add(bucket, column, f"{model.slug} in {dt.date.fromordinal(month):%Y-%m}: {column} add "
                                f"up to more than {limits.MAX_COUNT:,} (a 64-bit integer).")  # fmt: skip
            if not too_large and not self.errors and not self.proposals:
                self.batch.append(0, month, model.id, model.default_region_id or 0, True, TOKEN, requests,
                                  input_tokens, output_tokens, NO_SPEND, "")  # fmt: skip

    # -- cells -----------------------------------------------------------------------------------------------

    def _count(self, row: int, column: str, value) -> int | None:
        if value.__class__ is str and value.isdigit() and value.isascii() and len(value) < 19:
            return int(value)  # the common case, without a call
        try:
            return parse_count(value)
        except ValueError as exc:
            self.errors.add(row, column, str(exc))
            return None

    def _spend(self, row: int, value) -> int | None:
        try:
            return parse_spend(value)
        except ValueError as exc:
            self.errors.add(row, "spend", str(exc))
            return None

    def _currency(self, row: int, value) -> str | None:
        try:
            return parse_currency(value)
        except ValueError as exc:
            self.errors.add(row, "currency", str(exc))
            return None

    def _region(self, row: int, value) -> int | None:
        if value is None or value == "":
            return None
        found = _cached(self._regions, (value,), lambda: self._find_region(value))
        if isinstance(found, str):
            self.errors.add(row, "region", found)
            return None
        return found

    def _find_region(self, value) -> int | str | None:
        try:
            text = parse_text(value, "a region")
        except ValueError as exc:
            return str(exc)
        if text is None:
            return None
        found = self.catalogue.regions.get(text.lower())
        if found is None:
            example = min(self.catalogue.regions, default="gcp/europe-west4")
            return f"Unknown region “{text}”: use a catalogue region slug such as {example}, or leave it empty."
        return found

    def _model(self, model, vendor, model_name) -> NamedModel | tuple[str, str]:
        """The resolution, or (column, message) when the names cannot be read or match nothing."""
        names = {}
        for column, value in (("model", model), ("vendor", vendor), ("model_name", model_name)):
            try:
                names[column] = parse_text(value, "a vendor" if column == "vendor" else "a model")
            except ValueError as exc:
                return column, str(exc)
        if not names["model"] and not names["model_name"]:
            return "model", "Missing: give model (a catalogue slug), or vendor and model_name."
        found = self.resolver.resolve(names["model"], names["vendor"], names["model_name"])
        name = mapping_key(names["model"], names["vendor"], names["model_name"])
        if found.unknown:
            return "model" if names["model"] else "model_name", self._unknown(name)
        return NamedModel(name, found)

    def _unknown(self, name: str) -> str:
        example = self.catalogue.models[0].slug if self.catalogue.models else "google/gemini-2.5-flash"
        return (
            f"Unknown model “{name}”: no catalogue model has this slug or name, and none is close. Use a "
            f"catalogue slug such as {example}."
        )

    def _period(self, month, start, end) -> tuple[int, int, tuple] | PeriodError:
        problems = PeriodError()
        texts = {}
        for column, value, what in (("month", month, "a month"), ("start", start, "a date"), ("end", end, "a date")):
            try:
                texts[column] = parse_text(value, what)
            except ValueError as exc:
                problems.append((column, str(exc)))
        if problems:
            return problems
        month, start, end = texts["month"], texts["start"], texts["end"]
        if month and (start or end):
            return PeriodError([("month", "Give either month, or start and end, not both.")])
        if month:
            return self._month_period(month)
        if start or end:
            return self._range_period(start, end)
        return PeriodError([("month", "Missing: give month (YYYY-MM), or start and end (YYYY-MM-DD).")])

    def _month_period(self, text: str):
        try:
            first = parse_month(text)
        except ValueError as exc:
            return PeriodError([("month", str(exc))])
        if problem := self._out_of_range(first, first):
            return PeriodError([("month", problem)])
        last = month_end(first)
        return first.toordinal(), last.toordinal(), ((first.toordinal(), last.day),)

    def _range_period(self, start_text: str | None, end_text: str | None):
        problems = PeriodError()
        days = {}
        for column, text in (("start", start_text), ("end", end_text)):
            if not text:
                other = "end" if column == "start" else "start"
                problems.append((column, f"Missing: a period with {other} also needs its {column} (YYYY-MM-DD)."))
                continue
            try:
                days[column] = parse_date(text)
            except ValueError as exc:
                problems.append((column, str(exc)))
        if problems:
            return problems
        start, end = days["start"], days["end"]
        if end < start:
            return PeriodError([("end", f"The end {end} is before the start {start}.")])
        if problem := self._out_of_range(start, end):
            return PeriodError([("end" if "future" in problem else "start", problem)])
        return start.toordinal(), end.toordinal(), month_spans(start, end)

    def _out_of_range(self, start: dt.date, end: dt.date) -> str | None:
        if start < limits.EARLIEST_MONTH:
            return f"{start} is before {limits.EARLIEST_MONTH:%Y-%m}: is the year right?"
        if end > self.today:
            return f"{end:%Y-%m-%d} is in the future: usage can be uploaded up to today ({self.today})."
        return None

    # -- the whole file ----------------------------------------------------------------------------------------

    def finish(self, spend_factors: SpendFactorCheck) -> None:
        self._write_model_months()
        self._duplicates()
        for column, total in self.totals.items():
            if total > limits.MAX_COUNT:
                self.errors.add(
                    None,
                    column,
                    f"The {column} of the file add up to more than {limits.MAX_COUNT:,} "
                    "(a 64-bit integer): split the file.",
                )
        if self._spend_rows:
            self._spend_factors(spend_factors)
        if self.errors:
            self._collect = False
        if not self._collect:
            self.batch = RecordBatch()  # nothing of a rejected or unconfirmed file is kept

    def _duplicates(self) -> None:
        found, count = find_duplicates(self.keys, limits.MAX_ERRORS_LISTED)
        if not count:
            return
        slugs = {m.id: m.slug for m in self.catalogue.models}
        regions = {pk: slug for slug, pk in self.catalogue.regions.items()}
        label = self.label.capitalize() + "s"
        for d in found:
            start, end = dt.date.fromordinal(d.start), dt.date.fromordinal(d.end)
            period = f"{start:%Y-%m}" if (start.day == 1 and end == month_end(start)) else f"{start} to {end}"
            region = regions.get(d.region_id, "not given")
            self.errors.add(
                d.row,
                "model",
                f"{label} {d.first_row} and {d.row} have the same period ({period}), "
                f"model ({slugs.get(d.model_id)}) and region ({region}): give each once, or add them "
                "up.",
            )
        self.errors.count_unlisted(count - len(found))

    def _spend_factors(self, spend_factors: SpendFactorCheck) -> None:
        keys = {(currency, dt.date.fromordinal(month)) for currency, month in self._spend_rows}
        available = spend_factors(keys)
        for (currency, month), rows in sorted(self._spend_rows.items(), key=lambda item: item[1][0]):
            day = dt.date.fromordinal(month)
            if (currency, day) in available:
                continue
            for row in rows:
                self.errors.add(
                    row,
                    "currency",
                    f"No spend factor for {currency} is in force on {day}: a curator "
                    f"must add a spend factor for {currency} before spend-based usage in {currency} can "
                    "be uploaded.",
                )
