"""API routes of the emissions app (under /api/v1/)."""

urlpatterns: list = []
