from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config import views
from lessons.sitemaps import SITEMAPS
from progress import account_views

# The admin login goes through allauth's login, so it is rate-limited like the site's.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way
admin.site.site_header = "Stream"
admin.site.site_title = "Stream admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    # allauth's email page, saying when a verification mail cannot be sent again yet (progress.account_views).
    path("accounts/email/", account_views.account_email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("offline/", views.offline, name="offline"),
    path("search/", include("search.urls")),
    path("", include("progress.urls")),
    path("", include("comments.urls")),
    path("", include("lessons.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
