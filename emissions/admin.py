"""Curation admin: sources and factors, with approve/supersede actions for curators and CSV import/export."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from emissions.imports import EmissionFactorResource
from emissions.models import EmissionFactor, Source
from emissions.services.factors import APPROVE_PERMISSION, factor_approve, factor_supersede


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

    def _apply(self, request, queryset: QuerySet, service, verb: str) -> None:
        done = 0
        for factor in queryset.order_by("valid_from", "id"):
            try:
                service(factor=factor, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"Factor #{factor.pk} not {verb}: {detail}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} factor(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Approve selected drafts", permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._apply(request, queryset, factor_approve, "approved")

    @admin.action(description="Supersede (retire) selected approved factors", permissions=["approve"])
    def supersede_selected(self, request, queryset):
        self._apply(request, queryset, factor_supersede, "superseded")

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)
