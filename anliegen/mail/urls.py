from django.urls import path

from anliegen.mail import inbound_views, outbox_views, outgoing_views, views

app_name = "mail"

urlpatterns = [
    path("quarantine/", views.quarantine_list, name="quarantine"),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/raw/", views.quarantine_raw, name="quarantine_raw"),
    path("quarantine/<int:pk>/replay/", views.quarantine_replay, name="quarantine_replay"),
    path("quarantine/<int:pk>/resolve/", views.quarantine_resolve, name="quarantine_resolve"),
    path("automatic/", inbound_views.automatic_list, name="automatic"),
    path("bounces/", inbound_views.bounce_list, name="bounces"),
    path("inbound/<int:pk>/", inbound_views.inbound_detail, name="inbound_detail"),
    path("inbound/<int:pk>/raw/", inbound_views.inbound_raw, name="inbound_raw"),
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_edit, name="mailbox_new"),
    path("mailboxes/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("outgoing/", outgoing_views.outgoing_list, name="outgoing"),
    path("outgoing/<int:pk>/", outgoing_views.outgoing_detail, name="outgoing_detail"),
    path("outgoing/<int:pk>/retry/", outgoing_views.outgoing_retry, name="outgoing_retry"),
    path("cases/<str:number>/outbox/", outbox_views.outbox_panel, name="outbox_panel"),
    path("cases/<str:number>/outbox/<int:pk>/retry/", outbox_views.outbox_retry, name="outbox_retry"),
]
