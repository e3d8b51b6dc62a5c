"""Settings shared by every environment; everything that varies comes from the environment."""

from __future__ import annotations

import datetime as dt
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "csp",
    "axes",
    "vendors",
    "emissions",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked-out sign-in into a 429 page
]

# --- Security ---------------------------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts only from our own static files (Plotly included; chart data
# arrives as json_script, which is not executed). Plotly and Swagger UI set inline styles, hence 'unsafe-inline'
# for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Sign-in rate limiting (django-axes): 5 failures for a username from one address lock it for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "emissions.context_processors.recompute_status",
            ],
        },
    },
]

# Default: a SQLite file inside the project, so `make demo` needs no server.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "org-list"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.min.js is served from the plotly package itself (as static/plotly/plotly.min.js), never from a CDN.
# find_spec locates the package without importing it (importing plotly costs ~40 ms at every start).
PLOTLY_PACKAGE_DATA = Path(find_spec("plotly").origin).parent / "package_data"
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", PLOTLY_PACKAGE_DATA)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Celery -----------------------------------------------------------------------------------
# Without REDIS_URL, tasks run in-process (eagerly): the embedded default needs no broker.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish to a dead broker must fail fast: the database is the record of pending work and the
# sweeper re-enqueues it, so a web request never waits on Redis.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_PUBLISH_RETRY = False
# The recompute pipeline (emissions.services.recompute): stale work older than RECOMPUTE_STALE_AFTER_SECONDS
# is sent to the workers again by the sweeper, which beat runs every RECOMPUTE_SWEEP_SECONDS.
RECOMPUTE_STALE_AFTER_SECONDS = env_int("RECOMPUTE_STALE_AFTER_SECONDS", 60)
RECOMPUTE_SWEEP_SECONDS = env_int("RECOMPUTE_SWEEP_SECONDS", 30)
# Public catalogue reads and estimates are kept per process while the catalogue's version is unchanged
# (emissions.catalogue_version); each process re-reads that version at most this often, so a curation change or
# a recompute reaches every answer within this many milliseconds.
CATALOGUE_RECHECK_MS = env_int("CATALOGUE_RECHECK_MS", 1000)
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-stale-footprints": {
        "task": "emissions.tasks.sweep_stale_footprints",
        "schedule": float(RECOMPUTE_SWEEP_SECONDS),
        "options": {"expires": float(RECOMPUTE_SWEEP_SECONDS)},
    },
    # Usage uploads queued or processing for over 5 minutes (reports.services.uploads.STUCK_AFTER_SECONDS) are
    # sent to the workers again; a worker already on one does nothing.
    "sweep-stuck-uploads": {
        "task": "reports.tasks.sweep_stuck_uploads",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [  # the first one's challenge makes a missing credential 401, not 403
        "reports.authentication.ApiTokenAuthentication",  # scripts: Authorization: Bearer aif_...
        "rest_framework.authentication.SessionAuthentication",  # the browser, with CSRF
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Per client address (anonymous) or per user, one counter per calendar window (config/throttling.py); 429 with
    # Retry-After beyond. Counted in each process's memory (the default cache): with N server processes a client
    # gets up to N times the rate, and no cache outage can ever fail a request.
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonWindowThrottle",
        "config.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Every 4xx body: {"detail": "...", "errors": [{"field": ..., "message": ...}]} (config/api_errors.py).
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",  # the default
        "config.api_schema.document_standard_errors",
    ],
    "TITLE": "AI Footprint API",
    "DESCRIPTION": (
        "Energy, carbon and water footprints of AI vendors and models: the catalogue, its sourced factors, stored "
        "footprints, rankings, carbon labels and on-demand estimates (public, read-only), and factor curation "
        "(curators). Figures come as low/central/high; CO₂e location- and market-based. Every 4xx answers "
        '`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}` naming the field at fault (null for '
        "the request as a whole). Lists are paginated (50 a page, `?page=`) and sort with `?ordering=`. Examples "
        "show the shape of answers: their figures are illustrative, not current estimates."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Offline: no call to the public swagger.io validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Request and response shapes differ (curation input vs factor output): separate components.
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {"name": "catalogue", "description": "Vendors, models, accelerators, regions (data centres), grid zones."},
        {"name": "factors", "description": "Curated emission factors, their history, and their sources."},
        {"name": "rankings", "description": "Models and vendors ranked by a footprint metric (the /rankings/ page)."},
        {"name": "footprints", "description": "Stored footprint per typical request of each model and region."},
        {"name": "labels", "description": "Carbon labels A–G and their embeddable SVGs."},
        {"name": "estimates", "description": "On-demand estimates, as `manage.py estimate`."},
        {"name": "curation", "description": "Draft, preview, approve and supersede factors (curators)."},
        {"name": "usage uploads", "description": "An organisation's usage files: upload, review, confirm (members)."},
        {
            "name": "organisations",
            "description": "An organisation's usage records, footprints, KPIs and reports (members, by role).",
        },
        {"name": "service", "description": "The API itself: ping."},
    ],
    # Several models have a "kind" or "status": one named enum each, so the schema never guesses.
    "ENUM_NAME_OVERRIDES": {
        "AcceleratorKindEnum": "vendors.models.Accelerator.Kind",
        "GridZoneKindEnum": "vendors.models.GridZone.Kind",
        "FactorKindEnum": "emissions.factor_kinds.KIND_CHOICES",
        "FactorStatusEnum": "emissions.models.EmissionFactor.Status",
        "RecomputeJobStatusEnum": "emissions.models.RecomputeJob.Status",
    },
}

# --- Import/export ----------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # one INFO line per rendering step otherwise
        "fontTools": {"level": "WARNING"},
    },
}
