from django.urls import path

from anliegen.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("count/", views.count, name="count"),
    path("mentioned/", views.mentioned, name="mentioned"),
    path("mentioned/count/", views.mentioned_count, name="mentioned_count"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
]
