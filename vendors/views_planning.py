"""Planning pages: /compare/ (2 to 6 models side by side) and /procurement/ (a workload priced everywhere it runs).

Both are GET pages, so every result has an address that can be shared. The views validate the query string and
shape plain data; the reads are in ``emissions.compare`` and ``emissions.planner``.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse

from emissions import compare as comparing
from emissions import planner
from emissions.rankings import format_value
from vendors.models import AIModel, GridZone, Region, Task
from vendors.views import csv_response


def _query(params: QueryDict, **changes) -> str:
    """The query string with some parameters changed (None removes one)."""
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return "?" + query.urlencode()


# -- /compare/ ----------------------------------------------------------------------------------------------------


def _compare_url(slugs: list[str]) -> str:
    """The canonical address of a comparison: one ``models`` parameter, slugs joined by commas, kept readable."""
    return reverse("compare") + ("?models=" + quote(",".join(slugs), safe="/,.") if slugs else "")


def _compare_form(choices: list[AIModel], selected: list[AIModel]) -> dict:
    """The add/remove form: the current list (each with a link without it) and a select of the other models."""
    chosen = {m.pk for m in selected}
    groups: dict[str, list[AIModel]] = {}
    for model in choices:
        if model.pk not in chosen:
            groups.setdefault(Task(model.task).label, []).append(model)
    slugs = [m.slug for m in selected]
    return {
        "selected": [{"model": m, "remove_url": _compare_url([s for s in slugs if s != m.slug])} for m in selected],
        "groups": sorted(groups.items()),
        "full": len(selected) >= comparing.MAX_MODELS,
        "min_models": comparing.MIN_MODELS,
        "max_models": comparing.MAX_MODELS,
    }


def compare(request):
    params = request.GET
    choices = comparing.model_choices()
    known = {m.slug: m for m in choices}
    raw = params.getlist("models")
    slugs = comparing.parse_slugs(raw)
    valid = [known[s] for s in dict.fromkeys(slugs) if s in known][: comparing.MAX_MODELS]
    text_models = [m.slug for m in choices if m.task == Task.TEXT_GENERATION][:2]
    example = _compare_url(text_models) if len(text_models) == 2 else ""
    context = {"form": _compare_form(choices, valid), "example": example}
    if "models" not in params:  # the landing page: nothing chosen yet
        return render(request, "vendors/compare.html", context)
    problems = comparing.selection_problems(slugs, known)
    if problems:
        return render(request, "vendors/compare.html", context | {"problems": problems}, status=400)
    if raw != [",".join(slugs)]:  # what the form sends (repeated parameters): redirect to the address to share
        return HttpResponseRedirect(_compare_url(slugs))
    result = comparing.compare(valid)
    context |= {
        "comparison": result,
        "panels": [{"panel": p, "rows": p.rows(), "id": p.key.replace("_", "-")} for p in result.panels],
        "chart": {"panels": [p.chart() for p in result.panels], "quality": result.quality.chart()},
        "quality_rows": [{"point": p, "co2e": format_value(p.central), "range": f"{format_value(p.low)}–"
                          f"{format_value(p.high)}", "score": format_value(p.score)} for p in result.quality.points],
        "tasks": sorted({Task(m.task).label for m in valid}),
    }  # fmt: skip
    return render(request, "vendors/compare.html", context)


# -- /procurement/ --------------------------------------------------------------------------------------------------

MAX_REQUESTS_PER_MONTH = 10**12  # a trillion: far beyond any single buyer, and keeps every product finite
MAX_TOKENS = 10_000_000  # per request: beyond the longest context windows
UNKNOWN_REGION = {"invalid_choice": "Unknown region: use a region slug such as gcp/us-east4."}
UNKNOWN_ZONE = {"invalid_choice": "Unknown grid zone: use a zone code such as FRA or US-CAL-CISO."}
UNKNOWN_MODEL = {"invalid_choice": "Unknown model: use a model slug such as meta/llama-3.1-8b."}
NUMBERS = ("requests_per_month", "input_tokens", "output_tokens")  # a number input cannot show what was typed
RANK_NOUNS = {"co2e_location": "location-based CO₂e", "co2e_market": "market-based CO₂e", "energy": "energy use",
              "water": "water use"}  # fmt: skip


class PlannerForm(forms.Form):
    requests_per_month = forms.IntegerField(
        label="Requests per month", min_value=1, max_value=MAX_REQUESTS_PER_MONTH, initial=1_000_000
    )
    input_tokens = forms.FloatField(
        label="Average input tokens per request", min_value=0, max_value=MAX_TOKENS, initial=1_000
    )
    output_tokens = forms.FloatField(
        label="Average output tokens (or units) per request", min_value=0, max_value=MAX_TOKENS, initial=400
    )
    task = forms.ChoiceField(label="Task", choices=Task.choices, initial=Task.TEXT_GENERATION)
    region = forms.ModelChoiceField(label="Only in region", queryset=Region.objects.all(), to_field_name="slug",
                                    required=False, error_messages=UNKNOWN_REGION)  # fmt: skip
    zone = forms.ModelChoiceField(label="Only in grid zone", queryset=GridZone.objects.all(), to_field_name="code",
                                  required=False, error_messages=UNKNOWN_ZONE)  # fmt: skip
    current = forms.ModelChoiceField(label="Current model", queryset=AIModel.objects.select_related("vendor"),
                                     to_field_name="slug", required=False, error_messages=UNKNOWN_MODEL)  # fmt: skip
    current_region = forms.ModelChoiceField(
        label="Current region", queryset=Region.objects.all(), to_field_name="slug", required=False,
        error_messages=UNKNOWN_REGION,
    )  # fmt: skip
    rank_by = forms.ChoiceField(label="Rank by", choices=list(planner.RANK_CHOICES.items()), required=False,
                                error_messages={"invalid_choice": "Unknown ranking “%(value)s”: use one of "
                                                + ", ".join(planner.RANK_CHOICES) + "."})  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("region") and data.get("zone"):
            self.add_error("zone", "Give a region or a grid zone, not both.")
        current, task = data.get("current"), data.get("task")
        if current and task and current.task != task:
            does, wanted = Task(current.task).label.lower(), Task(task).label.lower()
            self.add_error("current", f"{current.name} does {does}, not {wanted}: choose a model of that task.")
        region = data.get("current_region")
        if region and not current and "current" not in self.errors:
            self.add_error("current_region", "Choose the current model too.")
        elif region and current:
            served = [r.slug for r in current.serving_regions.order_by("slug")]
            if region.slug not in served:
                self.add_error("current_region", f"{current.name} is not served from {region.slug} (it is from: "
                                                 f"{', '.join(served) or 'no disclosed region'}).")  # fmt: skip
        data["rank_by"] = data.get("rank_by") or "co2e_location"
        return data

    def workload(self) -> planner.Workload:
        data = self.cleaned_data
        return planner.Workload(
            task=data["task"], requests_per_month=data["requests_per_month"], input_tokens=data["input_tokens"],
            output_tokens=data["output_tokens"], region=data["region"], zone=data["zone"],
            current_model=data["current"], current_region=data["current_region"],
        )  # fmt: skip

    def problems(self) -> list[dict]:
        """Every error, with the label and name of its field (for the summary at the top of the page)."""
        out = []
        for name, messages in self.errors.items():
            label = self.fields[name].label if name in self.fields else "Workload"
            typed = self.data.get(name, "") if name in NUMBERS else ""
            echo = f" You entered “{typed[:40]}{'…' if len(typed) > 40 else ''}”." if typed else ""
            out += [{"name": name, "label": label, "message": message + echo} for message in messages]
        return out


def _planner_choices() -> dict:
    """The selects' options: places that have footprints, and every model grouped by task."""
    regions = Region.objects.filter(model_footprints__isnull=False).distinct().order_by("slug")
    zones = GridZone.objects.filter(regions__model_footprints__isnull=False).distinct().order_by("code")
    groups: dict[str, list[AIModel]] = {}
    for model in AIModel.objects.order_by("task", "name"):
        groups.setdefault(Task(model.task).label, []).append(model)
    return {"regions": list(regions), "zones": list(zones), "model_groups": sorted(groups.items()),
            "tasks": Task.choices, "rank_choices": planner.RANK_CHOICES,
            "output_units": {value: planner.OUTPUT_UNITS[Task(value)] for value in Task.values}}  # fmt: skip


def _values(form: PlannerForm) -> dict:
    """What the form shows: the submitted text (even when invalid) or the initial values."""
    return {name: ("" if form[name].value() is None else str(form[name].value())) for name in form.fields}


def procurement(request):
    params = request.GET
    output = params.get("format", "html")
    bound = any(name in params for name in PlannerForm.base_fields)
    form = PlannerForm(params if bound else None)
    problems = form.problems() if bound and not form.is_valid() else []
    if output not in ("html", "csv"):
        problems.append({"name": "format", "label": "Format", "message": f"Unknown format “{output[:40]}”: use csv."})
    if output == "csv" and (problems or not bound):
        text = "\n".join(f"{p['name']}: {p['message']}" for p in problems) or "Give a workload: requests_per_month…"
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    if output == "csv":
        result = planner.plan(form.workload(), rank_by=form.cleaned_data["rank_by"])
        return csv_response(planner.plan_table(result), "ai-footprint-workload-options.csv")
    context = _planner_choices() | {"values": _values(form), "problems": problems, "errors": form.errors}
    if problems:
        return render(request, "vendors/procurement.html", context, status=400)
    if not bound:
        return render(request, "vendors/procurement.html", context)
    result = planner.plan(form.workload(), rank_by=form.cleaned_data["rank_by"])
    table = planner.plan_table(result)
    unit = planner.display_units(result.options)[result.rank_by]
    context |= {
        "plan": result, "table": table, "rows": [list(zip(row, table.columns, strict=True)) for row in table.rows],
        "usage": planner.usage_summary(result.workload), "rank_label": planner.RANK_CHOICES[result.rank_by],
        "rank_noun": RANK_NOUNS[result.rank_by],
        "unit": unit.label, "chart": planner.chart_data(result) if result.options else None,
        "csv_url": _query(params, format="csv"), "share_url": request.build_absolute_uri(_query(params, format=None)),
        "headline": _headline(result, unit),
    }  # fmt: skip
    return render(request, "vendors/procurement.html", context)


def _headline(result: planner.Plan, unit: planner.Unit) -> list[str]:
    """The best switch and the best move of region, in words, against the current choice."""
    if result.current is None or not result.options:
        return []
    what = RANK_NOUNS[result.rank_by]
    where = " in the place asked for" if result.workload.region or result.workload.zone else ""
    if result.best is None:
        return [f"No other option matches this workload{where}: the current choice is the only one shown."]
    lines = []
    region = result.best_region
    for option in [result.best] + ([region] if region is not None and region is not result.best else []):
        saving, share = result.saving(option)
        if saving > 0:
            move = (f"Moving {option.model.name} to {option.region_label}" if option.kind == "region"
                    else f"Switching to {option.model.name} in {option.region_label}")  # fmt: skip
            lines.append(f"{move} would cut {what} by {unit.show(saving)} {unit.label} a year ({share:.0f} %).")
    if not lines:
        lines.append(f"The current choice, {result.current.label}, already has the lowest {what} of these options.")
    elif result.best_region is None or result.saving(result.best_region)[0] <= 0:
        lines.append(f"{result.current.model.name} has no lower {what} in its other serving regions{where}.")
    return lines
