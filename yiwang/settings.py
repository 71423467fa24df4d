"""Settings, all from the environment (YIWANG_*), with defaults that give a working demo on SQLite."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_secret(name: str) -> str:
    """A secret from the environment (NAME) or from the file it names (NAME_FILE, as `make run` writes)."""
    value = os.environ.get(name, "").strip()
    path = os.environ.get(f"{name}_FILE", "").strip()
    if not value and path and Path(path).is_file():
        value = Path(path).read_text(encoding="utf-8").strip()
    return value


DEBUG = env_bool("YIWANG_DEBUG", False)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
SECRET_KEY = env_secret("YIWANG_SECRET_KEY")
# The seals' master key (licences.crypto reads it here first). Without it the seals' private keys are
# encrypted under a key derived from SECRET_KEY: for development and tests only.
YIWANG_MASTER_KEY = env_secret("YIWANG_MASTER_KEY") or None
# Development keys are allowed with DEBUG on, under pytest (it sets PYTEST_VERSION), or when asked for
# by name; any other process — production — refuses to start without real keys (issue 12).
INSECURE_KEYS_ALLOWED = DEBUG or "PYTEST_VERSION" in os.environ or env_bool("YIWANG_INSECURE_DEV_KEYS", False)
_weak = not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32 or SECRET_KEY.startswith("django-insecure")
if not INSECURE_KEYS_ALLOWED and (_weak or not YIWANG_MASTER_KEY or len(YIWANG_MASTER_KEY) < 32):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "拒绝启动：生产环境必须设置 YIWANG_SECRET_KEY 和 YIWANG_MASTER_KEY（各至少32个随机字符，"
        "可用 *_FILE 指向保存它们的文件）；开发调试请设置 YIWANG_DEBUG=1，演示请用 make run。"
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
ALLOWED_HOSTS = os.environ.get("YIWANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("YIWANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs from the platform's own static files, not a CDN
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "yiwang.core",
    "yiwang.organisations",
    "yiwang.parties",
    "yiwang.workcalendar",
    "yiwang.catalogue",
    "yiwang.cases",
    "yiwang.bundlecases",
    "yiwang.licences",
    "yiwang.documents",
    "yiwang.evaluations",
    "yiwang.hotline",
    "yiwang.kb",
    "yiwang.supervision",
    "yiwang.dashboards",
    "yiwang.ledger",
    "yiwang.policies",
    "yiwang.agents",
    "yiwang.projects",
    "yiwang.portal",
    "yiwang.demo",
]

MIDDLEWARE = [
    "yiwang.core.dbrouter.FreshRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yiwang.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "yiwang.core.inputs.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yiwang.core.auth.BearerTokenMiddleware",
    "yiwang.core.auth.ApiSessionCsrfMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "yiwang.core.middleware.SessionIdleTimeoutMiddleware",
    "yiwang.core.initial_password.MustChangePasswordMiddleware",
    "yiwang.core.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiwang.core.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("YIWANG_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'yiwang.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("YIWANG_DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get(
        "YIWANG_DB_PREPARE", "1") != "0":
    # Real prepared statements: server-side binding alone prepares nothing while psycopg's
    # prepare_threshold is None (Django's default). Measured: PostgreSQL CPU per request −55–80 %.
    # YIWANG_DB_PREPARE=0 turns them off (e.g. behind a transaction-pooling PgBouncer).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=int(os.environ.get("YIWANG_DB_PREPARE_THRESHOLD", "5")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "yiwang.core.passwords.CharacterClassesValidator", "OPTIONS": {"classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yiwang.core.passwords.RevokeTokensOnChange"},
]

# Lockout after repeated failed logins (django-axes), on the login page, the admin and the token
# endpoint: per account and, separately, per address.
AUTHENTICATION_BACKENDS = ["yiwang.core.lockout.LockoutBackend", "yiwang.core.initial_password.InitialPasswordBackend"]
# The demo (`make run`): its published passwords are allowed; elsewhere they must be changed at login.
YIWANG_DEMO = env_bool("YIWANG_DEMO", "PYTEST_VERSION" in os.environ)
AXES_FAILURE_LIMIT = int(os.environ.get("YIWANG_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("YIWANG_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "yiwang.core.lockout.lockout_response"
AXES_VERBOSE = False
YIWANG_TOKEN_DAYS = int(os.environ.get("YIWANG_TOKEN_DAYS", "30"))
YIWANG_STAFF_IDLE_MINUTES = int(os.environ.get("YIWANG_STAFF_IDLE_MINUTES", "30"))
YIWANG_APPLICANT_IDLE_MINUTES = int(os.environ.get("YIWANG_APPLICANT_IDLE_MINUTES", "120"))

# Content-Security-Policy: scripts only from this site (no inline script), no plug-ins, no framing.
# Inline style attributes stay allowed (they run no code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"], "font-src": ["'self'", "data:"], "object-src": ["'none'"],
        "base-uri": ["'self'"], "form-action": ["'self'"], "frame-ancestors": ["'none'"],
    },
}

# HTTPS, from the environment: YIWANG_HTTPS=1 behind TLS (Secure cookies, HSTS, redirect to https);
# YIWANG_PROXY_SSL_HEADER=1 when a reverse proxy terminates TLS and sets X-Forwarded-Proto.
if env_bool("YIWANG_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("YIWANG_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
if env_bool("YIWANG_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "yiwang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic: no CDN, no extra step
MEDIA_ROOT = Path(os.environ.get("YIWANG_MEDIA_ROOT", VAR_DIR / "media"))


def s3_storage(env) -> dict:
    """Materials, attachments and scans in object storage (the S3 API: MinIO, or the government cloud's
    OBS/OSS) when YIWANG_S3_BUCKET is set, so that web servers on several machines share them; on disk
    under MEDIA_ROOT otherwise. Every read goes through the platform's own views (access checked), so
    objects stay private: no public ACL, and a name is never reused (file_overwrite off)."""
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env["YIWANG_S3_BUCKET"],
        "endpoint_url": env.get("YIWANG_S3_ENDPOINT_URL") or None,
        "region_name": env.get("YIWANG_S3_REGION") or None,
        "access_key": env.get("YIWANG_S3_ACCESS_KEY") or None,
        "secret_key": env.get("YIWANG_S3_SECRET_KEY") or None,
        "location": env.get("YIWANG_S3_PREFIX", ""),
        "addressing_style": env.get("YIWANG_S3_ADDRESSING", "path"),
        "default_acl": None, "file_overwrite": False, "querystring_auth": True,
    }}


STORAGES = {
    "default": s3_storage(os.environ) if os.environ.get("YIWANG_S3_BUCKET")
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("YIWANG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# More than one machine: with YIWANG_REDIS_URL, everything another process needs lives in Redis —
# the cache (rate limits), sessions (cached_db: Redis in front, the database behind), and the
# background tasks (django-tasks' RQ backend; `yiwang worker` runs them). Without it, the database
# holds it all and one command gives a working platform.
REDIS_URL = os.environ.get("YIWANG_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": os.environ.get("YIWANG_REDIS_PREFIX", "yiwang")}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    if "YIWANG_TASKS_BACKEND" not in os.environ:
        TASKS["default"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}

# Dashboards and reports may read from a replica (YIWANG_REPLICA_URL); writes, and every read after
# a write in the same request or task, stay on the primary (yiwang.core.dbrouter).
REPLICA_URL = os.environ.get("YIWANG_REPLICA_URL", "")
DATABASE_ROUTERS = ["yiwang.core.dbrouter.ReplicaRouter"]
if REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}

# The case engine's clock and uploads.
YIWANG_NEAR_DUE_DAYS = int(os.environ.get("YIWANG_NEAR_DUE_DAYS", "1"))
YIWANG_MAX_UPLOAD_MB = int(os.environ.get("YIWANG_MAX_UPLOAD_MB", "20"))
# The public address printed in QR codes (licences, case documents), e.g. https://zwfw.example.gov.cn; unset:
# a licence QR uses the request's host, a document issued by the worker (no request) prints the path only.
YIWANG_PUBLIC_BASE_URL = os.environ.get("YIWANG_PUBLIC_BASE_URL", "")
YIWANG_NOTIFICATION_SENDER = os.environ.get("YIWANG_NOTIFICATION_SENDER", "yiwang.core.notifications.LogSender")

# The site's title in the header: the region whose service network this deployment is.
YIWANG_SITE_REGION = os.environ.get("YIWANG_SITE_REGION", "430321")
YIWANG_SITE_TITLE = os.environ.get("YIWANG_SITE_TITLE", "湘潭县政务服务网")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_4xx": {"()": "yiwang.core.logfilters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_4xx"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("YIWANG_LOG_LEVEL", "WARNING")},
    # On the loggers too, so that every handler (and a test's capture) gets the one-line record.
    "loggers": {name: {"filters": ["one_line_4xx"]} for name in ("django.request", "django.security")},
}
