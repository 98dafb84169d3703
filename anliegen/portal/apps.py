from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.portal"
    label = "portal"
