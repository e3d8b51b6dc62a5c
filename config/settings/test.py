"""Test settings: the real services when DATABASE_URL / REDIS_URL are set, SQLite and eager tasks otherwise.

``REQUIRE_SERVICES=true`` (set by CI) turns a missing PostgreSQL or Redis into a failure instead of a skip.
"""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105 - test settings only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REQUIRE_SERVICES = env_bool("REQUIRE_SERVICES", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# No API rate limits in tests (the throttling test sets its own), so suites and fuzzing never meet a 429.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}  # noqa: F405
# The catalogue version is re-read on every use, so a test sees its own writes at once.
CATALOGUE_RECHECK_MS = 0
