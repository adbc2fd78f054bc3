from django.urls import path

from progress import account_views, views

app_name = "progress"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("settings/", views.account_settings, name="settings"),
    path("settings/delete/", views.account_delete, name="account_delete"),
    path("settings/export/", views.data_export, name="data_export"),
    path("settings/verify-email/", account_views.verification_send, name="verification_send"),
    path("progress/mark/", views.lesson_mark, name="lesson_mark"),
    # The JSON API of SPEC section 4: these paths are a contract.
    path("api/progress/", views.api_state, name="api_state"),
    path("api/catalogue/<slug:version>.json", views.api_catalogue, name="api_catalogue"),
    path("api/progress/sync", views.api_sync, name="api_sync"),
    path("api/progress/complete", views.api_complete, name="api_complete"),
    path("api/progress/uncomplete", views.api_uncomplete, name="api_uncomplete"),
]
