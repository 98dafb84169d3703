from django.urls import path

from anliegen.replies import views, views_docs

app_name = "replies"

urlpatterns = [
    path("", views.reply_list, name="list"),
    path("new/", views.reply_new, name="new"),
    path("preview/", views.reply_preview, name="preview"),
    path("<int:pk>/", views.reply_detail, name="detail"),
    path("<int:pk>/edit/", views.reply_edit, name="edit"),
    path("<int:pk>/archive/", views.reply_archive, name="archive"),
    path("retrain/", views.retrain, name="retrain"),
    path("cases/<str:number>/panel/", views.panel, name="panel"),
    path("cases/<str:number>/compose/<int:pk>/", views.compose_preview, name="compose"),
    path("cases/<str:number>/pick/<int:pk>/", views.pick, name="pick"),
    path("cases/<str:number>/macro/", views.apply_macro, name="apply_macro"),
    path("macros/", views.macro_list, name="macros"),
    path("macros/new/", views.macro_edit, name="macro_new"),
    path("macros/<int:pk>/", views.macro_edit, name="macro_edit"),
    path("macros/<int:pk>/delete/", views.macro_delete, name="macro_delete"),
    path("macros/bulk/", views.bulk_macro, name="bulk_macro"),
    path("signatures/", views.my_signatures, name="signatures"),
    path("signatures/team/<slug:slug>/", views.team_signatures, name="team_signatures"),
    path("docs/", views_docs.doc_list, name="docs"),
    path("docs/new/", views_docs.doc_new, name="doc_new"),
    path("docs/<slug:slug>/", views_docs.doc_detail, name="doc"),
    path("docs/<slug:slug>/edit/", views_docs.doc_edit, name="doc_edit"),
    path("docs/<slug:slug>/history/", views_docs.doc_history, name="doc_history"),
    path("docs/<slug:slug>/history/<int:number>/", views_docs.doc_version, name="doc_version"),
]
