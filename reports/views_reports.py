"""Report pages under /orgs/<slug>/reports/: the list and its generation form, a report (its print view), its
CSV and PDF, and regeneration. Thin: the form checks what was asked, services write, selectors read, and a report
page prints its snapshot, never figures computed now (except the difference shown when its inputs changed).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from reports.models import Report, Role
from reports.permissions import organisation_view
from reports.report_exports import pdf_response, report_csv, report_filename, report_pdf_bytes
from reports.selectors import report_changes, report_of, report_periods, reports_of, superseding_report
from reports.services.reports import report_generate as generate_report
from reports.services.reports import report_regenerate as regenerate_report
from reports.snapshots import Period, difference_view, period_from_token, report_view
from reports.snapshots.periods import KIND_NOUNS

PERIOD_GROUPS = (("monthly", "Months"), ("quarterly", "Quarters"), ("yearly", "Years"))


class ReportForm(forms.Form):
    """Kind and period of a new report; the period select offers only periods with usage, grouped by kind."""

    kind = forms.ChoiceField(
        label="Kind",
        choices=Report.Kind.choices,
        error_messages={"invalid_choice": "“%(value)s” is not a kind of report: choose monthly, quarterly or yearly."},
    )
    period = forms.ChoiceField(
        label="Period",
        error_messages={"invalid_choice": "“%(value)s” is not a period with usage: choose one from the list."},
    )

    def __init__(self, *args, periods: dict[str, list[Period]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (group, [(p.token, p.long_label) for p in periods.get(kind, [])])
            for kind, group in PERIOD_GROUPS
            if periods.get(kind)
        ]
        self.chosen: Period | None = None

    def clean(self):
        cleaned = super().clean()
        kind, token = cleaned.get("kind"), cleaned.get("period")
        if kind and token:
            period = period_from_token(token)
            if period.kind != kind:
                self.add_error(
                    "period",
                    f"{period.label} is a {KIND_NOUNS[period.kind]}: a {kind} report covers a "
                    f"{KIND_NOUNS[kind]}; choose one under “{dict(PERIOD_GROUPS)[kind]}”.",
                )
            else:
                self.chosen = period
        return cleaned

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}-error"})


def _report_or_404(organisation, report_id: int) -> Report:
    report = report_of(organisation, report_id)
    if report is None:
        raise Http404("No such report.")
    return report


def _list_page(request, organisation, membership, form: ReportForm, status: int = 200):
    form.mark_invalid()
    reports = [
        {"report": r, "period": Period(r.period_start, r.kind), "superseded_by": superseding_report(r)}
        for r in reports_of(organisation)
    ]
    context = {
        "organisation": organisation,
        "membership": membership,
        "org_section": "reports",
        "form": form,
        "reports": reports,
        "can_generate": membership.allows(Role.ANALYST),
        "has_periods": bool(form.fields["period"].choices),
    }
    return render(request, "reports/report_list.html", context, status=status)


@organisation_view()
def report_list(request, organisation, membership):
    return _list_page(request, organisation, membership, ReportForm(periods=report_periods(organisation)))


@organisation_view(Role.ANALYST)
@require_POST
def report_generate(request, organisation, membership):
    form = ReportForm(request.POST, periods=report_periods(organisation))
    if form.is_valid():
        try:
            report = generate_report(
                organisation=organisation,
                kind=form.cleaned_data["kind"],
                period_start=form.chosen.start,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)  # the service names "kind" or "period": the form's own fields
        else:
            messages.success(request, f"Report #{report.pk} generated.")
            return redirect("org-report", slug=organisation.slug, report_id=report.pk)
    return _list_page(request, organisation, membership, form, status=400)


def report_context(request, organisation, membership, report: Report) -> dict:
    """What the report templates (page, print view, PDF) need; the organisation API renders its PDF with it too."""
    return {
        "organisation": organisation,
        "membership": membership,
        "org_section": "reports",
        "report": report,
        "view": report_view(report.snapshot),
        "superseded_by": superseding_report(report),
        "methodology_link": request.build_absolute_uri(reverse("methodology")),
    }


@organisation_view()
def report_detail(request, organisation, membership, report_id: int):
    report = _report_or_404(organisation, report_id)
    context = report_context(request, organisation, membership, report)
    changes = None if context["superseded_by"] else report_changes(report)
    context |= {
        "changes": changes,
        "can_generate": membership.allows(Role.ANALYST),
        "difference": difference_view(changes.difference) if changes and changes.difference else None,
    }
    response = render(request, "reports/report_detail.html", context)
    patch_cache_control(response, private=True)
    return response


@organisation_view()
def report_csv_download(request, organisation, membership, report_id: int):
    report = _report_or_404(organisation, report_id)
    response = report_csv(report, report_filename(report, organisation.slug, "csv"))
    patch_cache_control(response, private=True)
    return response


@organisation_view()
def report_pdf_download(request, organisation, membership, report_id: int):
    report = _report_or_404(organisation, report_id)
    html = render_to_string(
        "reports/report_print.html", report_context(request, organisation, membership, report), request=request
    )
    response = pdf_response(
        report_pdf_bytes(html, request.build_absolute_uri("/")), report_filename(report, organisation.slug, "pdf")
    )
    patch_cache_control(response, private=True)
    return response


@organisation_view(Role.ANALYST)
@require_POST
def report_regenerate(request, organisation, membership, report_id: int):
    report = _report_or_404(organisation, report_id)
    try:
        new = regenerate_report(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("org-report", slug=organisation.slug, report_id=report.pk)
    messages.success(request, f"Report #{new.pk} generated with today's usage and factors; it supersedes #{report.pk}.")
    return redirect("org-report", slug=organisation.slug, report_id=new.pk)
