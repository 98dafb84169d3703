from django.urls import path

from anliegen.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("queues/<slug:slug>/", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("search/", views.search, name="search"),
    path("lead/", views.lead, name="lead"),
    # Before cases/<number>/, which would otherwise take "new" for a case number.
    path("cases/new/", views.new_case, name="new"),
    path("cases/<str:number>/", views.case, name="case"),
    path("cases/<str:number>/reply/", views.reply, name="reply"),
    path("cases/<str:number>/note/", views.note, name="note"),
    path("cases/<str:number>/presence/", views.heartbeat, name="presence"),
    path("cases/<str:number>/fields/", views.update_fields, name="fields"),
    path("cases/<str:number>/escalate/", views.escalate, name="escalate"),
    path("cases/<str:number>/tags/", views.tags, name="tags"),
    path("cases/<str:number>/subject/", views.subject, name="subject"),
    path("cases/<str:number>/merge/", views.merge, name="merge"),
    path("cases/<str:number>/colleagues/", views.colleagues, name="colleagues"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
