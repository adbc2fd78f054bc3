from django.urls import path

from lessons import report_views, views

app_name = "lessons"

urlpatterns = [
    path("", views.home, name="home"),
    path("lessons/preview/", views.preview, name="preview"),
    path("report/", report_views.report, name="report"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("quests/<slug:slug>/", views.quest, name="quest"),
    path("quests/<slug:quest_slug>/<slug:slug>/", views.lesson, name="lesson"),
]
