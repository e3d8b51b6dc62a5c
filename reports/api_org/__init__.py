"""The organisation API under /api/v1/orgs/<slug>/ (members only, by role): usage records, footprint rows, the
dashboard's KPIs and reports. Usage uploads are ``reports.api``.

Viewers read; analysts and admins add and delete usage and generate reports. Outsiders and unknown organisations
get 404 (nothing of an organisation leaks), members below the role an operation needs 403, anonymous callers 401.
Views are thin: ``reports.selectors_usage``, ``reports.footprint_rows`` and ``reports.kpis`` read;
``reports.services.usage_records`` and ``reports.services.reports`` write.
"""
