from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.api"
    label = "api"
