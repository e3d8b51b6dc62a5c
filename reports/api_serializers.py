"""How usage uploads read and are written in the API. Shapes only: the services decide, the views pick the status.

An upload links to its API detail (``url``) and its page (``page_url``). Errors are listed with the row (CSV rows
as a spreadsheet numbers them, header = 1; JSON records and OpenAI export buckets from 1; null for the whole file)
and the column they are about; ``error_count`` counts them all (at most 200 are listed).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from reports.ingest.errors import split_stored
from reports.models import UsageUpload

ON_CONFLICT = [(UsageUpload.Mode.REPLACE, "Replace the months' usage"), (UsageUpload.Mode.MERGE, "Add to it")]


def api_errors(errors: list[dict]) -> list[dict]:
    """Errors as the API shows them: row, column, and ``field`` (the column) as in every other API error body."""
    return [
        {"row": e["row"], "column": e["column"], "field": e["column"] or None, "message": e["message"]} for e in errors
    ]


class UploadErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="Row (CSV, header = 1), record (JSON) or bucket (OpenAI export); null: the file as a whole.",
    )
    column = serializers.CharField(
        allow_blank=True, required=False, help_text="Column or key at fault; empty: the whole row."
    )
    field = serializers.CharField(
        allow_null=True, help_text="The same as column (null when empty), as every error of the API names it."
    )
    message = serializers.CharField()


class ProposalSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The model name as the file gives it.")
    proposed = serializers.CharField(help_text="The closest catalogue model's slug.")


class UploadSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    months = serializers.ListField(
        child=serializers.DateField(), read_only=True, help_text="Months the file covers (first days)."
    )
    tier_counts = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Records written per data-quality tier: token, request, spend.",
    )
    model_mapping = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Names in the "
        "file -> catalogue slugs: proposed while status is needs_confirmation, "
        "then as confirmed.",
    )
    percent = serializers.IntegerField(read_only=True, help_text="rows_done / rows_total, %.")
    mode = serializers.ChoiceField(
        choices=UsageUpload.Mode.choices, allow_blank=True, read_only=True,
        help_text="replace or merge, once decided; empty until then (or when no month already held usage).",
    )  # fmt: skip
    uploaded_by = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()
    proposals = serializers.SerializerMethodField()
    conflicting_months = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = UsageUpload
        fields = [
            "id",
            "filename",
            "format",
            "status",
            "status_label",
            "mode",
            "size_bytes",
            "sha256",
            "rows_total",
            "rows_done",
            "percent",
            "records_created",
            "records_replaced",
            "months",
            "tier_counts",
            "model_mapping",
            "proposals",
            "conflicting_months",
            "errors",
            "error_count",
            "uploaded_by",
            "created_at",
            "finished_at",
            "url",
            "page_url",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, upload: UsageUpload) -> str | None:
        return upload.uploaded_by.get_username() if upload.uploaded_by_id else None

    @extend_schema_field(UploadErrorSerializer(many=True))
    def get_errors(self, upload: UsageUpload) -> list[dict]:
        return api_errors(split_stored(upload.errors)[0])

    def get_error_count(self, upload: UsageUpload) -> int:
        return split_stored(upload.errors)[1]

    @extend_schema_field(ProposalSerializer(many=True))
    def get_proposals(self, upload: UsageUpload) -> list[dict]:
        if upload.status != UsageUpload.Status.NEEDS_CONFIRMATION:
            return []
        return [{"name": name, "proposed": slug} for name, slug in upload.model_mapping.items()]

    def get_conflicting_months(self, upload: UsageUpload) -> list[str]:
        """Months that already hold usage (given by the view: ``context["conflicts"]``, upload id -> months)."""
        return [m.strftime("%Y-%m") for m in self.context.get("conflicts", {}).get(upload.pk, [])]

    def get_url(self, upload: UsageUpload) -> str:
        return reverse(
            "api-usage-upload-detail", args=[upload.organisation.slug, upload.pk], request=self.context.get("request")
        )

    def get_page_url(self, upload: UsageUpload) -> str:
        return reverse(
            "org-usage-upload", args=[upload.organisation.slug, upload.pk], request=self.context.get("request")
        )


class UploadCreateSerializer(serializers.Serializer):
    """multipart/form-data; a raw body (text/csv or application/json) takes the same fields as query parameters."""

    file = serializers.FileField(help_text="The usage file.")
    format = serializers.ChoiceField(
        choices=UsageUpload.Format.choices, required=False, help_text="Default: json for .json files, csv otherwise."
    )
    on_conflict = serializers.ChoiceField(
        choices=ON_CONFLICT,
        required=False,
        help_text="What to do with months that already hold usage; without it such an upload answers 409.",
    )


class UploadProblemSerializer(serializers.Serializer):
    """A rejected file (400, 413) or an upload that needs a decision (409)."""

    detail = serializers.CharField()
    errors = UploadErrorSerializer(many=True)
    error_count = serializers.IntegerField(required=False)
    months = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="409: months (YYYY-MM) that already hold usage."
    )
    upload = UploadSerializer(required=False)


class ConfirmSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.CharField(),
        allow_empty=False,
        help_text='Each proposed name -> the catalogue slug it means, e.g. {"gemini tst": "google/gemini-test"}.',
    )


class DecideSerializer(serializers.Serializer):
    on_conflict = serializers.ChoiceField(choices=ON_CONFLICT)
