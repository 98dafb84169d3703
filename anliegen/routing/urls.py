from django.urls import path

from anliegen.routing import views

app_name = "routing"

urlpatterns = [
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("rules/<int:pk>/<str:direction>/", views.rule_move, name="rule_move"),
    path("dry-run/", views.dry_run, name="dry_run"),
    path("teams/<int:team_pk>/", views.team_routing, name="team_routing"),
    path("skills/", views.skills, name="skills"),
    path("skills/<int:user_pk>/", views.agent_skills, name="agent_skills"),
    path("settings/", views.routing_settings, name="settings"),
    path("sla/", views.sla, name="sla"),
    path("sla/calendars/new/", views.calendar_edit, name="calendar_new"),
    path("sla/calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("sla/policies/new/", views.policy_edit, name="policy_new"),
    path("sla/policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("review/", views.review, name="review"),
    path("review/<str:number>/", views.review_outcome, name="review_outcome"),
    path("panel/<str:number>/", views.panel, name="panel"),
]
