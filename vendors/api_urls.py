"""API routes of the vendors app (under /api/v1/)."""

urlpatterns: list = []
