"""Organisation-scoped API (under /api/v1/)."""

urlpatterns: list = []
