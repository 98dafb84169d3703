from django.urls import path

from anliegen.phone import views

app_name = "phone"

urlpatterns = [
    path("call/", views.log_call, name="log_call"),
    path("call/lookup/", views.lookup, name="lookup"),
    path("calls/mine/", views.my_calls, name="my_calls"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/outcome/", views.callback_outcome, name="callback_outcome"),
    path("cases/<str:number>/callbacks/", views.case_callbacks, name="case_callbacks"),
    path("cases/<str:number>/journey/", views.journey_panel, name="journey_panel"),
    path("customers/<int:customer_id>/journey/", views.journey_view, name="journey"),
]
