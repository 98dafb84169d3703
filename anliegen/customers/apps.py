from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.customers"
    label = "customers"
