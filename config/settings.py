"""Stream settings: one module, every value from the environment.

Local defaults are safe for a developer machine (SQLite file, console email,
database cache). Production sets ``DJANGO_DEBUG=0``, ``DJANGO_SECRET_KEY``,
``DJANGO_ALLOWED_HOSTS`` and ``DATABASE_URL``; ``manage.py check --deploy``
then reports nothing.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; anything but the words below is an error, never a silent "off".

    ``DJANGO_SECURE_SSL_REDIRECT=ture`` stops the process at start-up instead of
    serving plain HTTP (the healthchecks project's settings work the same way)."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use one of {sorted(TRUE_WORDS | FALSE_WORDS)}."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below its minimum, {minimum}.")
    return number


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if not number >= minimum:  # also refuses nan
        raise ImproperlyConfigured(f"{name}={number} is below its minimum, {minimum}.")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {list(choices)}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The test suite runs with DEBUG off, like production, but over plain HTTP and
# without a secret key in the environment. It says so itself: pytest loads
# config.testing (pyproject's addopts), which sets DJANGO_TESTING=1 before
# these settings are read. Nothing is guessed from how the process was started.
TESTING = env_bool("DJANGO_TESTING", False)

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (50+ random characters) or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_tasks_db",
    "infra",
    "lessons",
    "progress",
    "comments",
    "search",
]

# Third-party sign-in without code changes:
# DJANGO_SOCIALACCOUNT_PROVIDERS=github,google plus DJANGO_SOCIALACCOUNT_<NAME>_CLIENT_ID / _SECRET.
# allauth.socialaccount is always installed, so `migrate` always creates its tables and switching a
# provider on needs no extra step; only the providers' own apps follow the environment.
INSTALLED_APPS.append("allauth.socialaccount")
# Where each provider's sign-in page is. "Continue" posts to our own /accounts/<name>/login/, which
# redirects the browser there, and browsers apply CSP's form-action to that redirect: the origin must
# be allowed (tests/config/test_social_providers.py checks this table against each provider's
# OAuth2 adapter). A provider not listed here, or one at another address (GitHub Enterprise, a
# self-hosted GitLab), names its origin in DJANGO_SOCIALACCOUNT_<NAME>_AUTHORIZE_ORIGIN.
SOCIAL_AUTHORIZE_ORIGINS = {
    "github": "https://github.com",
    "google": "https://accounts.google.com",
    "gitlab": "https://gitlab.com",
    "microsoft": "https://login.microsoftonline.com",
}
SOCIAL_PROVIDERS = env_list("DJANGO_SOCIALACCOUNT_PROVIDERS")
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
SOCIAL_FORM_ACTION_ORIGINS: list[str] = []
for _provider in SOCIAL_PROVIDERS:
    INSTALLED_APPS.append(f"allauth.socialaccount.providers.{_provider}")
    _prefix = f"DJANGO_SOCIALACCOUNT_{_provider.upper()}"
    SOCIALACCOUNT_PROVIDERS[_provider] = {
        "APPS": [
            {
                "client_id": os.environ.get(f"{_prefix}_CLIENT_ID", ""),
                "secret": os.environ.get(f"{_prefix}_SECRET", ""),
            }
        ]
    }
    _origin = os.environ.get(f"{_prefix}_AUTHORIZE_ORIGIN", "").strip().rstrip("/") or SOCIAL_AUTHORIZE_ORIGINS.get(
        _provider, ""
    )
    _parts = urlsplit(_origin)
    if _parts.scheme not in ("https", "http") or not _parts.netloc or _parts.path or _parts.query:
        raise ImproperlyConfigured(
            f"Sign-in provider {_provider!r} needs {_prefix}_AUTHORIZE_ORIGIN, the https:// origin of its "
            f"authorization page (like https://github.com), so the Content-Security-Policy lets the browser go there."
        )
    SOCIAL_FORM_ACTION_ORIGINS.append(_origin)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "infra.middleware.ContentVersionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "infra.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# The benchmark swaps in bench.urls (the site plus a bare view); nothing else should.
ROOT_URLCONF = os.environ.get("DJANGO_ROOT_URLCONF", "config.urls")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Replaces Django's csrf_token variable with one the page cache can find in a page.
                "infra.page_cache.csrf_context_processor",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests (gunicorn workers, the live server in browser tests)
    # wait for the write lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A connection per process, kept between requests (opening one and setting the pragmas cost
    # about a third of a millisecond a request; docs/decisions.md). Development and the test suite
    # open one per request, as the threaded development and live servers expect.
    if DEBUG or TESTING:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache per job, so that no amount of page traffic can evict a security counter.
# - "default": allauth's login and sign-up limits (the cache it uses). Always the
#   database, in its own table: it survives a Redis flush, and page entries never
#   count towards its culling. Our own limits are rows of infra.RateCounter.
# - "pages": the anonymous page cache (infra.page_cache). Redis when REDIS_URL is set,
#   else its own database table. Losing it costs a render, never a wrong page.
# Both tables are created by infra's migrations: `migrate` alone prepares a database.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        # Expired rows go first; a live counter is culled only past this many.
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    },
    "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "pages"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "stream_page_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("DJANGO_PAGE_CACHE_MAX_ENTRIES", 5000, minimum=1)},
    },
}
# Sessions stay rows in the database: flushing Redis signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# How many proxies stand in front of gunicorn (nginx, a load balancer). 0: the
# socket's address is the client's and X-Forwarded-For is ignored; N: the N-th
# address from the right of X-Forwarded-For is (infra.client.client_address).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
if TESTING:
    # The suite creates thousands of accounts; real password hashing would dominate its run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the identifier; verification is sent at sign-up and
# required before commenting (checked by the comments services), not before signing in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Stream] "
# Its get_client_ip is infra.client.client_address: allauth's login limits see the
# same address as every other limit of the site.
ACCOUNT_ADAPTER = "progress.accounts.AccountAdapter"
# One verification mail per address per this many seconds; the pages say when the next can go.
VERIFICATION_RESEND_SECONDS = 180
ACCOUNT_RATE_LIMITS = {"confirm_email": f"1/{VERIFICATION_RESEND_SECONDS}s/key"}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if (DEBUG or TESTING) else "https"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "infra.storage.StaticFilesStorage"
    },
}

# Email: console in development, SMTP from the environment in production.
_email_backend = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options = (
    {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587, minimum=1),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": 20,
    }
    if _email_backend.endswith("smtp.EmailBackend")
    else {}
)
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Stream <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Staff who receive report emails: "Name <a@b>,Other <c@d>" or plain addresses.
MANAGERS = env_list("DJANGO_MANAGERS", "staff@localhost")
ADMINS = MANAGERS

# Background tasks: run at once in development and tests; the django-tasks-db
# worker in production (DJANGO_TASKS_BACKEND=database, `manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if env_choice("DJANGO_TASKS_BACKEND", "immediate", ("immediate", "database")) == "database"
        else "django.tasks.backends.immediate.ImmediateBackend"
    }
}

# Whole-page cache for anonymous readers (infra.page_cache); 0 turns it off.
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 0 if (DEBUG or TESTING) else 60)
# How stale a process's copy of the page-cache version may be: a write shows within this.
PAGE_CACHE_VERSION_SECONDS = env_float("DJANGO_PAGE_CACHE_VERSION_SECONDS", 1.0)

# Site address used in emails (links back to the site).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Security headers. Strict by default outside development; the test suite runs
# over plain HTTP, so it does not redirect to HTTPS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "https:", "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    # The offline service worker (/sw.js) and the web app manifest: same origin only.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Forms post to the site itself, which may send the browser on to an enabled sign-in provider.
    "form-action": [CSP.SELF, *SOCIAL_FORM_ACTION_ORIGINS],
}
_secure = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", _secure)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a promise to browsers that is slow to take back (every subdomain,
# HTTPS only, for months): only the operator can make it.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
# check --deploy reminds about preloading (security.W021); not opting in is a decision.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", True) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", _secure)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
# Health checks from the load balancer do not go through HTTPS redirects.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Development and tests serve static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG
