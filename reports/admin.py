"""Staff views of organisations and their people. Organisation admins manage members on /orgs/<slug>/members/."""

from django.contrib import admin

from reports.models import Membership, Organisation, Report, UsageUpload


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "baseline_year", "target_year", "reduction_target_percent", "net_zero_year")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(UsageUpload)
class UsageUploadAdmin(admin.ModelAdmin):
    list_display = ("filename", "organisation", "format", "status", "rows_total", "records_created", "created_at")
    list_filter = ("status", "format")
    search_fields = ("filename", "organisation__name")
    exclude = ("content",)
    readonly_fields = [f.name for f in UsageUpload._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("organisation", "kind", "period_start", "created_by", "created_at")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False
