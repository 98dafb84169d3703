from django.urls import path

from anliegen.mail import views

app_name = "mail"

urlpatterns = [
    path("quarantine/", views.quarantine_list, name="quarantine"),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/raw/", views.quarantine_raw, name="quarantine_raw"),
    path("quarantine/<int:pk>/replay/", views.quarantine_replay, name="quarantine_replay"),
    path("quarantine/<int:pk>/resolve/", views.quarantine_resolve, name="quarantine_resolve"),
]
