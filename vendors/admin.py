from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vendors.models import Accelerator, AIModel, GridZone, QualityScore, Region, TrainingRun, Vendor


@admin.register(Vendor)
class VendorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "hq_country", "net_zero_year", "renewable_claim_pct", "source")
    search_fields = ("name", "slug")
    list_filter = ("hq_country",)
    list_select_related = ("source",)
    autocomplete_fields = ("source",)


class QualityScoreInline(admin.TabularInline):
    model = QualityScore
    extra = 0
    autocomplete_fields = ("source",)


@admin.register(AIModel)
class AIModelAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "vendor", "task", "architecture", "open_weights", "serving_accelerator", "release_date")
    search_fields = ("slug", "name", "family")
    list_filter = ("task", "architecture", "open_weights", "vendor")
    list_select_related = ("vendor", "serving_accelerator")
    autocomplete_fields = ("vendor", "serving_accelerator", "source")
    filter_horizontal = ("serving_regions",)
    inlines = (QualityScoreInline,)


@admin.register(Accelerator)
class AcceleratorAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "name", "maker", "kind", "memory_gb", "release_year")
    search_fields = ("slug", "name", "maker")
    list_filter = ("maker", "kind")
    autocomplete_fields = ("source",)


@admin.register(GridZone)
class GridZoneAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "country")
    search_fields = ("code", "name", "country")
    list_filter = ("kind",)
    autocomplete_fields = ("source",)


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "name", "operator", "city", "country", "zone")
    search_fields = ("slug", "name", "city", "country")
    list_filter = ("operator", "country")
    list_select_related = ("zone",)
    autocomplete_fields = ("zone", "source")


@admin.register(TrainingRun)
class TrainingRunAdmin(SimpleHistoryAdmin):
    list_display = ("model", "accelerator", "accelerator_hours", "power_w", "reported_co2e_t_location", "source")
    search_fields = ("model__slug",)
    list_filter = ("accelerator",)
    list_select_related = ("model", "accelerator", "source")
    autocomplete_fields = ("model", "accelerator", "zone", "region", "source")
