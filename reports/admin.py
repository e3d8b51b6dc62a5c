"""Staff views of organisations and their people. Organisation admins manage members on /orgs/<slug>/members/."""

from django.contrib import admin

from reports.models import AuditEvent, Membership, Organisation, Report, UsageUpload


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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: who did what, when."""

    list_display = ("at", "actor_name", "action", "organisation", "target", "summary")
    list_filter = ("action", "organisation")
    search_fields = ("actor_name", "target", "summary")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
