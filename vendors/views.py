"""Server-rendered pages: overview, rankings (and their CSV), model pages, carbon labels, methodology.

Views validate the query string, call selectors and shape plain data for the templates; they read no rows
themselves.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import markdown
from django.conf import settings
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import escape
from markdown.treeprocessors import Treeprocessor

from emissions.engine import METHODOLOGY_VERSION
from emissions.filters import DEFAULTS, GROUPS, RankingFilter
from emissions.labels import (
    LABEL_HEIGHT,
    LABEL_WIDTH,
    footprint_history,
    grade_scale,
    model_footprints,
    model_label,
    task_grades,
    training_runs_of,
    training_share,
)
from emissions.rankings import (
    BASES,
    METRICS,
    format_count,
    format_value,
    metrics_for_task,
    ranking_places,
    ranking_table,
    region_label,
    sum_columns,
    typical_request_label,
)
from emissions.vendor_profile import energy_headlines, extremes, footprints_computed_at, task_standings
from vendors.models import AIModel, Task
from vendors.selectors import catalogue_summary, vendor_list

METHODOLOGY_FILE = Path(settings.BASE_DIR) / "docs" / "methodology.md"
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with these as a formula
SVG_MAX_AGE = 3600


def _standing_link(row) -> dict:
    return {"name": row.model.name, "vendor": row.model.vendor.name, "grade": row.grade,
            "href": reverse("model-detail", args=row.model.slug.split("/", 1)),
            "co2e": format_value(row.co2e[1]), "range": f"{format_value(row.co2e[0])}–{format_value(row.co2e[2])}",
            "energy": format_value(row.energy[1])}  # fmt: skip


def home(request):
    """What the product measures, headline comparisons and the extremes of each task, from stored footprints."""
    standings = task_standings()
    headlines = [{"task": Task(h.task).label.lower(), "models": h.models, "ratio": format_value(h.ratio, 2),
                  "tie": h.is_tie, "best": _standing_link(h.best), "worst": _standing_link(h.worst)}
                 for h in energy_headlines(standings)]  # fmt: skip
    tasks = []
    for value, label in Task.choices:
        best, worst = extremes(standings.get(value, []))
        if best:
            tasks.append({"label": label, "count": len(standings[value]), "href": f"{reverse('rankings')}?task={value}",
                          "best": [_standing_link(r) for r in best],
                          "worst": [_standing_link(r) for r in worst]})  # fmt: skip
    context = {"summary": catalogue_summary(), "vendors": vendor_list(), "computed_at": footprints_computed_at(),
               "headlines": headlines, "tasks": tasks}  # fmt: skip
    return render(request, "vendors/home.html", context)


# -- /rankings/ ---------------------------------------------------------------------------------------------------


def _query(params: QueryDict, **changes) -> str:
    """The query string with some parameters changed (None removes one)."""
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


def _current(params: QueryDict, filters: RankingFilter) -> dict:
    """The filter values to show in the form: the cleaned ones, or what was typed when they do not validate."""
    if filters.is_valid():
        data = {**filters.form.cleaned_data}
        data["region"] = data["region"].slug if data["region"] else ""
        data["zone"] = data["zone"].code if data["zone"] else ""
        return data
    data = {key: params.get(key) or DEFAULTS.get(key, "") for key in ("task", "metric", "basis", "region", "zone",
                                                                        "group", "sort")}  # fmt: skip
    if data["task"] not in Task.values:  # the form resubmits the task: never send an unknown one back
        data["task"] = DEFAULTS["task"]
    return data | {"open_weights": bool(params.get("open_weights"))}


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(CSV_TRIGGERS) else cell


def csv_response(table, filename: str) -> HttpResponse:
    """A table (columns with labels, rows of cells with text) as a CSV download, formula cells neutralised."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([neutralise(column.label) for column in table.columns])
    writer.writerows([neutralise(cell.text) for cell in row] for row in table.rows)
    return response


def rankings(request):
    params = request.GET
    filters = RankingFilter(params)
    output = params.get("format", "html")
    errors = filters.error_messages() if not filters.is_valid() else []
    if output not in ("html", "csv"):
        errors.append(f"format: Unknown format “{output}”: use csv, or leave it out for the page.")
    current = _current(params, filters)
    if errors and output == "csv":
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    context = {"current": current, "errors": errors, "bases": BASES, "groups": GROUPS,
               "metrics": metrics_for_task(current["task"]),
               "task_links": [(value, label, _query(params, task=value, metric=None, sort=None, format=None))
                              for value, label in Task.choices]}  # fmt: skip
    context["regions"], context["zones"] = ranking_places()
    if errors:
        return render(request, "vendors/rankings.html", context, status=400)
    selection, presentation = filters.selection, filters.presentation
    grades = task_grades(selection["task"])[0] if presentation["group"] == "model" else {}
    table, ranked = ranking_table(selection=selection, grades=grades, **presentation)
    spec = METRICS[selection["metric"]]
    if output == "csv":
        name = f"ai-footprint-{selection['task']}-{spec.key}-{selection['basis']}-{presentation['group']}s.csv"
        return csv_response(table, name)
    sort = presentation["sort"]
    context |= {
        "spec": spec,
        "table": table,
        "headers": [_header(params, column, sort) for column in table.columns],
        "rows": [list(zip(row, table.columns, strict=True)) for row in table.rows],
        "typical_request": typical_request_label(selection["task"]),
        "task_label": Task(selection["task"]).label,
        "place": selection["region"].slug if selection["region"] else
                 (f"grid zone {selection['zone']}" if selection["zone"] else ""),
        "csv_url": _query(params, format="csv"),
        "chart": {
            "labels": _chart_labels(ranked, presentation["group"]),
            "low": [r.low for r in ranked], "central": [r.central for r in ranked], "high": [r.high for r in ranked],
            "axis": f"{spec.unit} {spec.per}" + (f" ({selection['basis']}-based)" if spec.uses_basis else ""),
        },
    }  # fmt: skip
    return render(request, "vendors/rankings.html", context)


def _chart_labels(ranked: list, group: str) -> list[str]:
    """Bar labels; Plotly merges equal category names, so a model name two vendors share gets its vendor."""
    if group == "vendor":
        return [r.vendor.name for r in ranked]
    names = [r.model.name for r in ranked]
    return [f"{r.model.name} ({r.vendor.name})" if names.count(r.model.name) > 1 else r.model.name for r in ranked]


def _header(params: QueryDict, column, sort: str) -> dict:
    """A column heading: its sort link (ascending first, then toggles) and its aria-sort state."""
    aria = ("descending" if sort.startswith("-") else "ascending") if sort.lstrip("-") == column.key else ""
    sortable = column.key != "label"
    next_sort = f"-{column.key}" if sort == column.key else column.key
    return {"column": column, "aria_sort": aria, "sortable": sortable,
            "href": _query(params, sort=next_sort, format=None) if sortable else ""}  # fmt: skip


# -- /models/<vendor>/<model>/ -------------------------------------------------------------------------------------


def _model_or_404(vendor: str, model: str) -> AIModel:
    return get_object_or_404(AIModel.objects.select_related("vendor", "serving_accelerator"), slug=f"{vendor}/{model}")


def _range(values, unit: str) -> dict:
    low, central, high = values
    return {"central": f"{format_value(central)} {unit}", "range": f"{format_value(low)}–{format_value(high)}"}


def _figures(footprint, task: str) -> list[dict]:
    """Each metric of the task, location- and market-based, with its range."""
    rows = []
    for spec in metrics_for_task(task):
        location = spec.compute(footprint, "location")
        market = spec.compute(footprint, "market") if spec.uses_basis else None
        rows.append({"spec": spec, "location": _range(location, spec.unit) if location else None,
                     "market": _range(market, spec.unit) if market else None})  # fmt: skip
    return rows


def _breakdown(footprint) -> list[dict]:
    """Where the request's energy and CO₂e go (central figures of the engine's breakdown)."""
    parts = footprint.breakdown.get("breakdown") or {}
    energy_wh = (footprint.energy_kwh or 0) * 1000
    rows = [
        ("Accelerators (incl. their idle share)", parts.get("accelerator_kwh"), "Wh"),
        ("Host: CPU, memory, network (incl. idle share)", parts.get("host_kwh"), "Wh"),
        ("Cooling and power overhead (PUE − 1)", parts.get("facility_overhead_kwh"), "Wh"),
    ]
    out = [{"label": label, "value": f"{format_value(kwh * 1000)} {unit}",
            "share": f"{kwh * 1000 / energy_wh:.0%}" if energy_wh else ""}
           for label, kwh, unit in rows if kwh is not None]  # fmt: skip
    operational, embodied = footprint.operational_co2e_kg, footprint.embodied_co2e_kg
    if operational is not None and embodied is not None and operational + embodied > 0:
        for label, kg in (("Operational CO₂e (location-based)", operational),
                          ("Embodied CO₂e (share of making the hardware)", embodied)):  # fmt: skip
            out.append({"label": label, "value": f"{format_value(kg * 1000)} g CO₂e",
                        "share": f"{kg / (operational + embodied):.0%}"})  # fmt: skip
    return out


def _safe_url(url: str | None) -> str:
    return url if url and urlsplit(url).scheme in ("http", "https") else ""


def _factors(footprint) -> list[dict]:
    out = []
    for ref in footprint.breakdown.get("factors") or []:
        if not isinstance(ref, dict):
            continue
        low, high = ref.get("low"), ref.get("high")
        spread = f" ({format_value(low)}–{format_value(high)})" if low is not None and high is not None else ""
        out.append({"kind": str(ref.get("kind", "")).replace("_", " "), "subject": ref.get("subject", ""),
                    "value": f"{format_value(ref.get('value'))}{spread} {ref.get('unit', '')}",
                    "valid": ref.get("valid_from") and f"{ref['valid_from']} – {ref.get('valid_to') or 'open'}",
                    "source": ref.get("source", ""), "url": _safe_url(ref.get("source_url")),
                    "id": ref.get("id"), "version": ref.get("version")})  # fmt: skip
    return out


def _training(run, per_request) -> dict:
    """A disclosed run: what its maker reported beside our estimate from its disclosed inputs, and its share per
    request at illustrative lifetime volumes."""
    ours = getattr(run, "footprint", None)
    estimable = ours is not None and ours.estimable and ours.energy_kwh is not None

    def estimate(column: str, scale: float) -> str:
        if not estimable:
            return ""
        low, central, high = sum_columns(ours, (column,), scale)
        return f"{format_value(central)} ({format_value(low)}–{format_value(high)})"

    rows = [("Energy, MWh", run.reported_energy_mwh, estimate("energy_kwh", 1e-3)),
            ("CO₂e location-based, t", run.reported_co2e_t_location, estimate("operational_co2e_kg", 1e-3)),
            ("CO₂e market-based, t", run.reported_co2e_t_market, estimate("operational_co2e_market_kg", 1e-3)),
            ("Embodied CO₂e, t", None, estimate("embodied_co2e_kg", 1e-3))]  # fmt: skip
    share = training_share(ours, per_request)
    if share is not None:
        share = {"break_even": format_count(share["break_even_requests"]),
                 "rows": [{"requests": format_count(requests), "g": _range(grams.as_tuple(), "g CO₂e")}
                          for requests, grams in share["per_request_g"]]}  # fmt: skip
    return {"run": run, "estimable": estimable, "url": _safe_url(run.source.url), "share": share,
            "rows": [{"label": label, "reported": format_value(reported) if reported is not None else "not disclosed",
                      "estimated": ours_text or "—"} for label, reported, ours_text in rows]}  # fmt: skip


def model_detail(request, vendor: str, model: str):
    ai_model = _model_or_404(vendor, model)
    footprints = model_footprints(ai_model)
    by_region = {region_label(f.region): f for f in footprints}
    wanted = request.GET.get("region")
    if wanted is not None and wanted not in by_region:
        served = ", ".join(by_region) or "none"
        message = f"region: “{wanted}” is not a place this model's footprint is computed for (use one of: {served})."
        return render(request, "vendors/bad_request.html", {"problems": [message]}, status=400)
    shown = by_region[wanted] if wanted else (footprints[0] if footprints else None)
    if shown is not None and shown.energy_kwh is None:  # created, never computed yet: nothing to show
        shown = None
    history = footprint_history(shown) if shown else []
    context = {
        **_svg_context(ai_model), "model": ai_model, "footprint": shown, "footprints": footprints,
        "region_label": region_label(shown.region) if shown else "", "typical_request":
        typical_request_label(ai_model.task), "task_label": Task(ai_model.task).label,
        "figures": _figures(shown, ai_model.task) if shown else [], "breakdown": _breakdown(shown) if shown else [],
        "factors": _factors(shown) if shown else [],
        "training": [_training(run, shown) for run in training_runs_of(ai_model)],
        "regions": [{"label": region_label(f.region), "region": f.region,
                     "co2e": _range(METRICS["co2e_per_request"].compute(f, "location") or (0, 0, 0), "g CO₂e")}
                    for f in footprints],
        "history": [{"at": v.computed_at.isoformat(), "month": v.month.isoformat(), "central": v.total_co2e_kg * 1000,
                     "low": v.total_co2e_kg_low * 1000, "high": v.total_co2e_kg_high * 1000,
                     "text": f"{format_value(v.total_co2e_kg * 1000)} g ({format_value(v.total_co2e_kg_low * 1000)}–"
                             f"{format_value(v.total_co2e_kg_high * 1000)})"} for v in history],
    }  # fmt: skip
    return render(request, "vendors/model_detail.html", context)


# -- /labels/<vendor>/<model>/ and .svg ---------------------------------------------------------------------------


def _svg_context(ai_model: AIModel) -> dict:
    label = model_label(ai_model)
    return {"label": label, "svg_id": "label-" + re.sub(r"[^a-z0-9]+", "-", ai_model.slug),
            "methodology_version": METHODOLOGY_VERSION}  # fmt: skip


def label_page(request, vendor: str, model: str):
    ai_model = _model_or_404(vendor, model)
    context = _svg_context(ai_model) | {"model": ai_model, "scale": grade_scale(), "label_width": LABEL_WIDTH,
                                        "label_height": LABEL_HEIGHT}  # fmt: skip
    svg_url = request.build_absolute_uri(reverse("label-svg", args=[vendor, model]))
    model_url = request.build_absolute_uri(reverse("model-detail", args=[vendor, model]))
    alt = escape(context["label"].summary)
    context |= {
        "svg_url": svg_url,
        "embed_html": f'<a href="{escape(model_url)}"><img src="{escape(svg_url)}" alt="{alt}" width="{LABEL_WIDTH}" '
        f'height="{LABEL_HEIGHT}"></a>',
        "embed_markdown": f"[![Carbon label of {ai_model.name}]({svg_url})]({model_url})",
    }
    return render(request, "vendors/label.html", context)


def label_svg(request, vendor: str, model: str):
    """The label as a standalone SVG: cacheable for an hour, with an ETag so a revalidation is cheap."""
    svg = render_to_string("emissions/label.svg", _svg_context(_model_or_404(vendor, model)))
    etag = '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(svg, content_type="image/svg+xml")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=SVG_MAX_AGE)
    return response


# -- /methodology/ ------------------------------------------------------------------------------------------------


class _SafeLinks(Treeprocessor):
    """Drops link and image targets that are not http(s), mailto, a fragment or a relative path."""

    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and urlsplit(value).scheme not in ("", "http", "https", "mailto"):
                    del element.attrib[attribute]


@functools.lru_cache(maxsize=4)
def _render_markdown(path: Path, modified: float) -> str:
    """Markdown to HTML with raw HTML escaped, not passed through (``modified`` keys the cache to the file)."""
    md = markdown.Markdown(extensions=["tables", "toc", "sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    return md.convert(path.read_text(encoding="utf-8"))


def methodology(request):
    if not METHODOLOGY_FILE.exists():
        raise Http404("The methodology document is missing.")
    html = _render_markdown(METHODOLOGY_FILE, METHODOLOGY_FILE.stat().st_mtime)
    return render(request, "vendors/methodology.html", {"html": html, "version": METHODOLOGY_VERSION})
