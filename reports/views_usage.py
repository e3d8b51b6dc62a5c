"""Usage pages: the upload history and monthly summary, the upload form, each upload's page and its answers.

Thin: forms parse, ``reports.services.uploads`` decides and writes, ``reports.ingest.selectors`` reads. Viewers
see the history and the summary; analysts and admins also upload, and see and answer each upload.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from reports.ingest import limits
from reports.ingest.errors import split_stored
from reports.ingest.forms import UploadForm
from reports.ingest.resolve import FUZZY_CUTOFF
from reports.ingest.samples import sample_months, sample_table
from reports.ingest.selectors import (
    catalogue_choices,
    catalogue_snapshot,
    sample_spend_currency,
    upload_conflicts,
    upload_of,
    uploads_of,
    usage_by_month,
)
from reports.models import Role, Tier, UsageUpload
from reports.permissions import organisation_view
from reports.services.uploads import UploadActionError, upload_cancel, upload_confirm, upload_decide, upload_submit
from vendors.views import csv_response

Status = UsageUpload.Status
HISTORY_LENGTH = 50  # uploads listed on the usage page (the API lists them all, paged)
ROW_LABELS = {UsageUpload.Format.CSV: "Row", UsageUpload.Format.JSON: "Record", UsageUpload.Format.OPENAI: "Bucket"}
FORMAT_LABELS = {
    UsageUpload.Format.CSV: "CSV",
    UsageUpload.Format.JSON: "JSON",
    UsageUpload.Format.OPENAI: "OpenAI export",
}


def _usage_page(request, organisation, membership, form: UploadForm, status: int = 200):
    context = {
        "organisation": organisation, "membership": membership, "org_section": "usage", "form": form,
        "can_upload": membership.allows(Role.ANALYST), "uploads": uploads_of(organisation)[:HISTORY_LENGTH],
        "months": usage_by_month(organisation), "tiers": Tier.choices, "max_rows": limits.MAX_ROWS,
        "max_size": limits.megabytes(limits.MAX_BYTES),
    }  # fmt: skip
    return render(request, "reports/usage.html", context, status=status)


@organisation_view()
def usage(request, organisation, membership):
    return _usage_page(request, organisation, membership, UploadForm())


@organisation_view(Role.ANALYST)
@require_POST
def upload_new(request, organisation, membership):
    """The upload form's target: store and process the file, then show its page."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _usage_page(request, organisation, membership, form, status=400)
    file = form.cleaned_data["file"]
    upload = upload_submit(
        organisation=organisation, user=request.user, filename=file.name, file_format=form.cleaned_data["format"],
        source=file, size_bytes=file.size,
    )  # fmt: skip
    return redirect("org-usage-upload", slug=organisation.slug, upload_id=upload.pk)


@organisation_view()
def sample_csv(request, organisation, membership):
    today = timezone.localdate()
    spend_currency = sample_spend_currency(sample_months(today)[1])
    return csv_response(sample_table(catalogue_snapshot(), today, spend_currency), "usage-sample.csv")


def _upload_or_404(organisation, upload_id: int) -> UsageUpload:
    upload = upload_of(organisation, upload_id)
    if upload is None:
        raise Http404("No such upload.")
    return upload


@organisation_view(Role.ANALYST)
def upload_detail(request, organisation, membership, upload_id: int):
    upload = _upload_or_404(organisation, upload_id)
    errors, error_count = split_stored(upload.errors)
    context = {
        "organisation": organisation, "membership": membership, "org_section": "usage", "upload": upload,
        "errors": errors, "error_count": error_count, "row_label": ROW_LABELS.get(upload.format, "Row"),
        "format_label": FORMAT_LABELS.get(upload.format, upload.format),
        "active": upload.status in (Status.QUEUED, Status.PROCESSING),
        "tier_rows": [(label, upload.tier_counts.get(value, 0)) for value, label in Tier.choices],
        "progress_url": reverse("org-usage-upload-progress", args=[organisation.slug, upload.pk]),
        "can_cancel": upload.status in (Status.NEEDS_CONFIRMATION, Status.NEEDS_DECISION, Status.QUEUED,
                                        Status.PROCESSING),
    }  # fmt: skip
    if upload.status == Status.NEEDS_CONFIRMATION:
        context["proposals"] = list(enumerate(upload.model_mapping.items()))
        context["choices"] = catalogue_choices()
        context["cutoff"] = int(FUZZY_CUTOFF * 100)
    if upload.status == Status.NEEDS_DECISION:
        context["conflicts"] = upload_conflicts(upload)
    return render(request, "reports/upload.html", context)


def _flash(request, error: UploadActionError) -> None:
    for problem in error.errors:
        messages.error(request, f"{problem.column}: {problem.message}" if problem.column else problem.message)


@organisation_view(Role.ANALYST)
@require_POST
def upload_confirm_view(request, organisation, membership, upload_id: int):
    """The confirmation form names its selects model-0, model-1... in the order of the upload's proposals."""
    upload = _upload_or_404(organisation, upload_id)
    names = list(upload.model_mapping) if upload.status == Status.NEEDS_CONFIRMATION else []
    mapping = {name: request.POST.get(f"model-{i}", "").strip() for i, name in enumerate(names)}
    try:
        upload_confirm(upload=upload, mapping=mapping)
    except UploadActionError as error:
        _flash(request, error)
    return redirect("org-usage-upload", slug=organisation.slug, upload_id=upload.pk)


@organisation_view(Role.ANALYST)
@require_POST
def upload_decide_view(request, organisation, membership, upload_id: int):
    upload = _upload_or_404(organisation, upload_id)
    try:
        upload_decide(upload=upload, on_conflict=request.POST.get("on_conflict", ""))
    except UploadActionError as error:
        _flash(request, error)
    return redirect("org-usage-upload", slug=organisation.slug, upload_id=upload.pk)


@organisation_view(Role.ANALYST)
@require_POST
def upload_cancel_view(request, organisation, membership, upload_id: int):
    upload = _upload_or_404(organisation, upload_id)
    try:
        upload_cancel(upload=upload)
    except UploadActionError as error:
        _flash(request, error)
    else:
        messages.success(request, f"{upload.filename}: cancelled; nothing of it was written.")
    return redirect("org-usage-upload", slug=organisation.slug, upload_id=upload.pk)


@organisation_view(Role.ANALYST)
def upload_progress(request, organisation, membership, upload_id: int):
    """What the upload page polls while a worker checks the file."""
    upload = _upload_or_404(organisation, upload_id)
    return JsonResponse({
        "status": upload.status, "label": upload.get_status_display(), "rows_done": upload.rows_done,
        "rows_total": upload.rows_total, "percent": min(upload.percent, 100),
        "finished": upload.status not in (Status.QUEUED, Status.PROCESSING),
    })  # fmt: skip
