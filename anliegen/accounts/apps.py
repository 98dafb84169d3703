from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.accounts"
    label = "accounts"
