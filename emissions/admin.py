"""Curation admin: sources and factors, with approve/supersede actions for curators and CSV import/export."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, QuerySet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from emissions import admin_jobs  # noqa: F401 - registers the recompute job admin
from emissions.impact import ImpactLine, ImpactPreview, factor_impact_preview
from emissions.imports import EmissionFactorResource
from emissions.models import EmissionFactor, RecomputeJob, Source, SpendFactor
from emissions.services.factors import APPROVE_PERMISSION, factor_approve, factor_supersede
from emissions.services.recompute import active_jobs


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ("key", "publisher", "title", "year", "licence")
    search_fields = ("key", "publisher", "title", "url")
    list_filter = ("licence", "year")


class SubjectKindFilter(admin.SimpleListFilter):
    title = "subject"
    parameter_name = "subject"

    def lookups(self, request, model_admin):
        return [("zone", "Grid zone"), ("region", "Region"), ("accelerator", "Accelerator"), ("ai_model", "AI model")]

    def queryset(self, request, queryset):
        if self.value() in {"zone", "region", "accelerator", "ai_model"}:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


class PeriodFilter(admin.SimpleListFilter):
    """Factors valid on 1 January of a chosen year."""

    title = "valid in year"
    parameter_name = "valid_in"

    def lookups(self, request, model_admin):
        years = EmissionFactor.objects.dates("valid_from", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        day = dt.date(int(self.value()), 1, 1)
        open_or_later = queryset.filter(valid_to__isnull=True) | queryset.filter(valid_to__gt=day)
        return open_or_later.filter(valid_from__lte=day)


@admin.register(EmissionFactor)
class EmissionFactorAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [EmissionFactorResource]
    list_display = ("id", "kind", "subject_display", "value_with_unit", "period", "status", "source", "approved_by")
    list_filter = ("status", "kind", SubjectKindFilter, PeriodFilter, "zone__kind", "source__publisher")
    search_fields = ("zone__code", "zone__name", "region__slug", "accelerator__slug", "ai_model__slug",
                     "source__key", "source__publisher", "note")  # fmt: skip
    list_select_related = ("zone", "region", "accelerator", "ai_model", "source", "approved_by")
    autocomplete_fields = ("zone", "region", "accelerator", "ai_model", "source", "supersedes")
    readonly_fields = ("status", "approved_by", "approved_at", "created_by", "created_at", "updated_at")
    actions = ("approve_selected", "supersede_selected")
    fieldsets = (
        (None, {"fields": ("kind", "zone", "region", "accelerator", "ai_model")}),
        ("Value", {"fields": ("value", "value_low", "value_high", "unit", "valid_from", "valid_to")}),
        ("Provenance", {"fields": ("source", "note", "supersedes")}),
        ("Approval", {"fields": ("status", "approved_by", "approved_at", "created_by", "created_at", "updated_at")}),
    )

    @admin.display(description="subject")
    def subject_display(self, factor: EmissionFactor) -> str:
        return str(factor.subject)

    @admin.display(description="value", ordering="value")
    def value_with_unit(self, factor: EmissionFactor) -> str:
        return factor.display_value

    @admin.display(description="valid", ordering="valid_from")
    def period(self, factor: EmissionFactor) -> str:
        return factor.period_label

    def has_change_permission(self, request, obj=None):
        # Approved and superseded factors are the record: they change only through approve/supersede.
        if obj is not None and obj.status != EmissionFactor.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != EmissionFactor.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.status = EmissionFactor.Status.DRAFT
        super().save_model(request, obj, form, change)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(APPROVE_PERMISSION):
            actions.pop("approve_selected", None)
            actions.pop("supersede_selected", None)
        return actions

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    # -- approve / supersede, after an impact preview ------------------------------------------------

    def _apply(self, request, queryset: QuerySet, service, verb: str, trigger: str) -> None:
        since = RecomputeJob.objects.aggregate(last=Max("pk"))["last"] or 0
        done: set[int] = set()
        for factor in queryset.order_by("valid_from", "id"):
            try:
                service(factor=factor, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"Factor #{factor.pk} not {verb}: {detail}", messages.ERROR)
            else:
                done.add(factor.pk)
        if done:
            jobs = [
                job
                for job in RecomputeJob.objects.filter(pk__gt=since, trigger=trigger, triggered_by=request.user)
                if done & set(job.factor_ids)
            ]
            self.message_user(request, _done_message(len(done), verb, jobs), messages.SUCCESS)

    def _confirm_or_apply(self, request, queryset: QuerySet, *, action: str, action_name: str, service, verb: str,
                          trigger: str):  # fmt: skip
        """Like Django's delete confirmation: first the impact of each selected factor, then, confirmed, the change."""
        if request.POST.get(CONFIRM_FIELD) == "yes":
            self._apply(request, queryset, service, verb, trigger)
            return None
        factors = list(queryset.order_by("valid_from", "id").select_related(*self.list_select_related))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.capitalize()} {len(factors)} factor(s)? Impact preview",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "media": self.media,
            "action": action,
            "action_name": action_name,
            "verb": verb,
            "factors": factors,
            "impacts": [self._impact_block(factor, action) for factor in factors],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "confirm_field": CONFIRM_FIELD,
            "back_url": request.get_full_path(),
            **_pending_context(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/emissions/emissionfactor/impact_confirmation.html", context)

    @admin.action(description="Approve selected drafts (after an impact preview)", permissions=["approve"])
    def approve_selected(self, request, queryset):
        return self._confirm_or_apply(
            request, queryset, action="approve", action_name="approve_selected", service=factor_approve,
            verb="approved", trigger=RecomputeJob.Trigger.FACTOR_APPROVED,
        )  # fmt: skip

    @admin.action(description="Supersede (retire) selected approved factors (after an impact preview)",
                  permissions=["approve"])  # fmt: skip
    def supersede_selected(self, request, queryset):
        return self._confirm_or_apply(
            request, queryset, action="supersede", action_name="supersede_selected", service=factor_supersede,
            verb="superseded", trigger=RecomputeJob.Trigger.FACTOR_SUPERSEDED,
        )  # fmt: skip

    def _impact_block(self, factor: EmissionFactor, action: str) -> dict:
        block = {"factor": factor, "url": reverse("admin:emissions_emissionfactor_change", args=[factor.pk])}
        expected = EmissionFactor.Status.DRAFT if action == "approve" else EmissionFactor.Status.APPROVED
        if factor.status != expected:
            block["refusal"] = (
                f"This factor is {factor.get_status_display().lower()}, not {expected.label.lower()}: "
                f"it cannot be {'approved' if action == 'approve' else 'superseded'}, so it changes nothing."
            )
            return block
        return block | impact_context(factor_impact_preview(factor=factor, action=action))

    # -- one factor's impact, from its change page ---------------------------------------------------

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_impact"
        view = self.admin_site.admin_view(self.impact_view)
        return [path("<path:object_id>/impact/", view, name=name), *super().get_urls()]

    @staticmethod
    def _preview_action(factor: EmissionFactor) -> str | None:
        return {EmissionFactor.Status.DRAFT: "approve", EmissionFactor.Status.APPROVED: "supersede"}.get(factor.status)

    def impact_view(self, request, object_id):
        """Read-only: what approving this draft (or retiring this approved factor) would change. Curators only."""
        if not self.has_approve_permission(request):
            raise PermissionDenied
        factor = self.get_object(request, unquote(object_id))
        if factor is None or not self.has_view_permission(request, factor):
            raise Http404(f"No factor with id {object_id!r}.")
        action = self._preview_action(factor)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Impact preview: factor #{factor.pk}",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "media": self.media,
            "original": factor,
            "action": action,
            "impact": self._impact_block(factor, action) if action else None,
            **_pending_context(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/emissions/emissionfactor/impact_preview.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        factor = self.get_object(request, unquote(object_id))
        if factor is not None and self.has_approve_permission(request):
            action = self._preview_action(factor)
            if action:
                extra_context = {
                    **(extra_context or {}),
                    "impact_url": reverse("admin:emissions_emissionfactor_impact", args=[factor.pk]),
                    "impact_label": "Impact preview" if action == "approve" else "Impact of superseding",
                }
        return super().change_view(request, object_id, form_url, extra_context)


CONFIRM_FIELD = "confirm"


def _pending_context() -> dict:
    """Recomputes still to run: until they do, the stored "before" figures are out of date (or missing)."""
    return {
        "pending_jobs": active_jobs().count(),
        "pending_jobs_url": reverse("admin:emissions_recomputejob_changelist") + "?status__in=pending,running",
    }


def _done_message(count: int, verb: str, jobs: list[RecomputeJob]):
    if not jobs:
        return f"{count} factor(s) {verb}."
    links = format_html_join(
        ", ",
        '<a href="{}">recompute job #{}</a> ({})',
        ((reverse("admin:emissions_recomputejob_change", args=[job.pk]), job.pk, job.get_status_display().lower())
         for job in jobs),
    )  # fmt: skip
    return format_html("{} factor(s) {}. Footprints follow in {}.", count, verb, links)


# -- presenting an impact preview ---------------------------------------------------------------------

MINUS = "\u2212"


def _significant(value: float, digits: int = 3) -> str:
    """3 significant digits, never scientific notation, thousands separated: 0.00781, 12.3, 1,234."""
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    decimals = min(12, max(0, digits - 1 - math.floor(math.log10(abs(value)))))
    return f"{value:,.{decimals}f}"


def _signed(value: float) -> str:
    text = _significant(abs(value))
    if text in ("0", "n/a") or value == 0:
        return "±0" if text == "0" else text
    return ("+" if value > 0 else MINUS) + text


def _percent(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    text = f"{abs(value):,.1f}"
    return "±0.0 %" if text == "0.0" else f"{'+' if value > 0 else MINUS}{text} %"


def _mass_unit(line: ImpactLine) -> tuple[str, float]:
    """kg, or tonnes once either side reaches 1,000 kg (both sides of a line share one unit)."""
    biggest = max(abs(line.before_kg), abs(line.after_kg))
    return ("t", 1e-3) if math.isfinite(biggest) and biggest >= 1000 else ("kg", 1.0)


def impact_line(line: ImpactLine, *, unit: str | None = None, scale: float | None = None) -> dict:
    """An ``ImpactLine`` ready to print: before, after and change in one unit, and the change in percent."""
    if unit is None or scale is None:
        unit, scale = _mass_unit(line)
    percent = line.change_percent
    return {
        "label": line.label,
        "before": f"{_significant(line.before_kg * scale)} {unit}",
        "after": f"{_significant(line.after_kg * scale)} {unit}",
        "change": f"{_signed(line.change_kg * scale)} {unit}",
        "percent": _percent(percent) if percent is not None else "new" if line.after_kg else "—",
        "direction": "up" if line.change_kg > 0 else "down" if line.change_kg < 0 else "same",
    }


def impact_context(preview: ImpactPreview) -> dict:
    """What the impact templates print for one preview (formatting only; the figures are the preview's)."""
    return {
        "preview": preview,
        "counts": [
            ("rates", "Footprint rates (model × region × month)", preview.rates),
            ("rollups", "Usage rollups (organisation × month × model × region)", preview.rollups),
            ("usage_records", "Usage records behind those rollups", preview.usage_records),
            ("model_footprints", "Model footprints (per typical request, this month)", preview.model_footprints),
            ("training_footprints", "Training footprints", preview.training_footprints),
        ],
        "total": impact_line(preview.total),
        "tables": [
            ("Most affected vendors", "Vendor", [impact_line(line) for line in preview.vendors]),
            ("Most affected models", "Model", [impact_line(line) for line in preview.models]),
            ("Most affected organisations", "Organisation", [impact_line(line) for line in preview.organisations]),
        ],
        "per_request": [impact_line(line, unit="g", scale=1000.0) for line in preview.per_request],
    }


@admin.register(SpendFactor)
class SpendFactorAdmin(SimpleHistoryAdmin):
    """Spend factors (kg CO2e per unit of currency) for spend-based usage. Read when dashboards and reports are
    built, so a change shows at once (reports generated before keep their figures and offer to regenerate)."""

    list_display = ("currency", "kg_co2e_per_unit", "kg_co2e_per_unit_low", "kg_co2e_per_unit_high", "valid_from",
                    "valid_to", "source")  # fmt: skip
    list_filter = ("currency",)
    search_fields = ("currency", "note", "source__title")
    autocomplete_fields = ("source",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
