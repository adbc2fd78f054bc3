from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("comments/lesson/<int:lesson_id>/", views.comment_create, name="create"),
    path("comments/lesson/<int:lesson_id>/notifications/", views.subscription_set, name="subscription"),
    path("comments/preview/", views.comment_preview, name="preview"),
    path("comments/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<int:pk>/flag/", views.comment_flag, name="flag"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="hide"),
    path("comments/<int:pk>/unhide/", views.comment_unhide, name="unhide"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="read_all"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/resubscribe/<str:token>/", views.resubscribe, name="resubscribe"),
]
