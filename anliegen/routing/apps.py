from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.routing"
    label = "routing"
