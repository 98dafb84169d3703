from django.urls import path

from anliegen.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("login/", views.login, name="login"),
    path("login/sent/", views.link_sent, name="link_sent"),
    path("enter/<str:token>/", views.enter, name="enter"),
    path("logout/", views.logout, name="logout"),
    path("language/", views.language, name="language"),
    path("new/", views.new, name="new"),
    path("cases/<str:number>/", views.case, name="case"),
    path("cases/<str:number>/reply/", views.reply, name="reply"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("form/", views.webform, name="webform"),
]
