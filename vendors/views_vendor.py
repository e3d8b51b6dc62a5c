"""/vendors/<slug>/: a vendor's models, the places that serve them, its commitments and its transparency score.

The view shapes ``emissions.vendor_profile.vendor_profile`` for the template and the map script
(static/js/vendor.js); it reads no rows itself.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from emissions.rankings import format_value
from emissions.vendor_profile import ESTIMATE_MARKERS, vendor_profile
from vendors.models import Task, Vendor


def _percent(share: float | None) -> str:
    return f"{share:.0%}" if share is not None else "—"


def _model_rows(profile) -> list[dict]:
    """The vendor's models by task, lowest CO₂e first; models without a computed footprint last in their task."""
    rows = []
    for model in profile.models:
        standing = profile.standings.get(model.pk)
        low, central, high = standing.co2e if standing else (None, None, None)
        rows.append({
            "model": model, "task": Task(model.task).label, "grade": standing.grade if standing else "",
            "href": reverse("model-detail", args=model.slug.split("/", 1)), "co2e": format_value(central),
            "range": f"{format_value(low)}–{format_value(high)}", "place": standing.region_label if standing else "",
            "sort": (model.task, central is None, central or 0, model.name.lower()),
        })  # fmt: skip
    return sorted(rows, key=lambda row: row["sort"])


def _map_points(places) -> list[dict]:
    """One marker per region with coordinates (the region's own, else its grid zone's centroid)."""
    points = []
    for place in places:
        if place.latitude is None or place.longitude is None:
            continue
        region = place.region
        known = place.grid_intensity is not None
        intensity = f"{format_value(place.grid_intensity)} g CO₂e/kWh" if known else "unknown"
        facility = f"PUE {format_value(place.pue)}, WUE {format_value(place.wue)} L/kWh"
        text = f"{region.slug} ({region.name})<br>grid {region.zone.code}: {intensity}<br>{facility}"
        points.append({"lat": place.latitude, "lon": place.longitude, "intensity": place.grid_intensity,
                       "label": region.slug, "text": text})  # fmt: skip
    return points


def vendor_detail(request, slug: str):
    vendor = get_object_or_404(Vendor.objects.select_related("source"), slug=slug)
    profile = vendor_profile(vendor)
    places = [{"place": p, "intensity": format_value(p.grid_intensity), "pue": format_value(p.pue),
               "wue": format_value(p.wue), "cfe": _percent(p.carbon_free_share)} for p in profile.places]  # fmt: skip
    points = _map_points(profile.places)
    context = {
        "vendor": vendor, "profile": profile, "models": _model_rows(profile), "places": places,
        "map": {"points": points, "unplaced": len(profile.places) - len(points)},
        "average_intensity": format_value(profile.average_grid_intensity),
        "average_cfe": _percent(profile.average_carbon_free_share),
        "criteria": [{"criterion": c, "points": f"{c.points:.2f}"} for c in profile.criteria],
        "markers": ", ".join(f"“{marker}”" for marker in ESTIMATE_MARKERS),
    }  # fmt: skip
    return render(request, "vendors/vendor.html", context)
