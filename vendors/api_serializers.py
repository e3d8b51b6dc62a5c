"""How the catalogue reads in the API: vendors, models, accelerators, regions (data centres) and grid zones.

Read-only shapes: related rows appear by their public identifier (slug or code), never a database id, and every
object links to its own API detail (``url``) and, where the site has one, its page (``page_url``).
"""

from __future__ import annotations

from rest_framework import serializers

from emissions.api.common import LinkField, model_args
from vendors.models import Accelerator, AIModel, GridZone, QualityScore, Region, Vendor


def source_key() -> serializers.CharField:
    """The key of the publication a row comes from (its details: /api/v1/sources/<key>/)."""
    return serializers.CharField(source="source.key", read_only=True, help_text="Key of the source (/api/v1/sources/).")


class VendorRefSerializer(serializers.ModelSerializer):
    url = LinkField("api-vendor-detail", lambda vendor: [vendor.slug])

    class Meta:
        model = Vendor
        fields = ["slug", "name", "url"]


class VendorSerializer(serializers.ModelSerializer):
    model_count = serializers.IntegerField(read_only=True, help_text="Models of the vendor in the catalogue.")
    source = source_key()
    url = LinkField("api-vendor-detail", lambda vendor: [vendor.slug])
    page_url = LinkField("vendor", lambda vendor: [vendor.slug])

    class Meta:
        model = Vendor
        fields = ["slug", "name", "website", "hq_country", "net_zero_year", "renewable_claim_pct", "commitment_note",
                  "model_count", "source", "url", "page_url"]  # fmt: skip


class ModelRefSerializer(serializers.ModelSerializer):
    url = LinkField("api-model-detail", model_args)

    class Meta:
        model = AIModel
        fields = ["slug", "name", "task", "url"]


class VendorDetailSerializer(VendorSerializer):
    models = ModelRefSerializer(many=True, read_only=True)

    class Meta(VendorSerializer.Meta):
        fields = [*VendorSerializer.Meta.fields, "models"]


class AIModelSerializer(serializers.ModelSerializer):
    vendor = VendorRefSerializer(read_only=True)
    serving_accelerator = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    serving_regions = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    source = source_key()
    url = LinkField("api-model-detail", model_args)
    page_url = LinkField("model-detail", model_args)
    footprints_url = LinkField("api-model-footprints", model_args)
    label_url = LinkField("api-label-detail", model_args)

    class Meta:
        model = AIModel
        fields = ["slug", "name", "vendor", "family", "task", "release_date", "open_weights", "architecture",
                  "serving_accelerator", "serving_regions", "note", "source", "url", "page_url", "footprints_url",
                  "label_url"]  # fmt: skip


class QualityScoreSerializer(serializers.ModelSerializer):
    source = source_key()

    class Meta:
        model = QualityScore
        fields = ["benchmark", "value", "source"]


class AIModelDetailSerializer(AIModelSerializer):
    quality_scores = QualityScoreSerializer(many=True, read_only=True)

    class Meta(AIModelSerializer.Meta):
        fields = [*AIModelSerializer.Meta.fields, "quality_scores"]


class AcceleratorSerializer(serializers.ModelSerializer):
    source = source_key()
    url = LinkField("api-accelerator-detail", lambda accelerator: [accelerator.slug])

    class Meta:
        model = Accelerator
        fields = ["slug", "name", "maker", "kind", "memory_gb", "release_year", "source", "url"]


class RegionSerializer(serializers.ModelSerializer):
    zone = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Grid zone code.")
    source = source_key()
    url = LinkField("api-region-detail", lambda region: region.slug.split("/", 1))

    class Meta:
        model = Region
        fields = ["slug", "operator", "code", "name", "city", "country", "zone", "latitude", "longitude", "source",
                  "url"]  # fmt: skip


class GridZoneSerializer(serializers.ModelSerializer):
    source = source_key()
    url = LinkField("api-zone-detail", lambda zone: [zone.code])

    class Meta:
        model = GridZone
        fields = ["code", "name", "kind", "country", "latitude", "longitude", "source", "url"]
