from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.replies"
    label = "replies"
