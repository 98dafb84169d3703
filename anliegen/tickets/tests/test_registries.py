"""The side bar and the queue's bulk buttons come from the hooks registries: a feature app
adds its entry without editing base.html or queue.html."""

import pytest
from django.urls import reverse

from anliegen.tickets import hooks


@pytest.fixture
def clean_registries(monkeypatch):
    monkeypatch.setattr(hooks, "_nav", list(hooks._nav))
    monkeypatch.setattr(hooks, "_bulk_actions", list(hooks._bulk_actions))


def test_it_shows_a_registered_nav_entry_and_bulk_action(anna, world, clean_registries):
    hooks.register_nav(hooks.NavEntry(name="probe", label="Probe entry", url_name="tickets:search", order=1))
    hooks.register_bulk_action(hooks.BulkAction(name="probe_bulk", label="Probe bulk", url_name="tickets:search"))
    hooks.register_nav(hooks.NavEntry(name="gone", label="Gone entry", url_name="nowhere:at_all"))

    response = anna.get(reverse("tickets:queue", args=[world.support.slug]))
    assert response.status_code == 200
    assert f'<a href="{reverse("tickets:search")}" data-nav="probe">Probe entry</a>' in response.text
    assert f'formaction="{reverse("tickets:search")}" name="probe_bulk">Probe bulk</button>' in response.text
    assert "Gone entry" not in response.text  # a missing URL leaves the entry out, the page still works


def test_it_moves_the_existing_entries_onto_the_registries(anna, client, world):
    page = anna.get(reverse("tickets:queue", args=[world.support.slug])).text
    for name in ("new_case", "log_call", "callbacks", "replies", "docs"):
        assert f'data-nav="{name}"' in page
    for name in ("lead", "review", "rules", "sla", "quarantine", "mailboxes"):
        assert f'data-nav="{name}"' not in page  # leads' and admins' pages are not offered to an agent
    assert f'formaction="{reverse("replies:bulk_macro")}" name="choose_macro"' in page

    client.force_login(world.lead)
    lead_page = client.get(reverse("tickets:mine")).text
    for name in ("lead", "review", "rules", "sla"):
        assert f'data-nav="{name}"' in lead_page
    assert 'data-nav="quarantine"' not in lead_page
    names = [e.name for e in hooks.nav_entries(world.lead)]
    assert names.index("new_case") < names.index("log_call") < names.index("replies") < names.index("lead")


def test_it_keeps_the_registries_out_of_the_templates():
    from pathlib import Path

    templates = Path(hooks.__file__).resolve().parent.parent / "templates"
    base = (templates / "base.html").read_text()
    queue = (templates / "tickets" / "queue.html").read_text()
    for app in ("phone:", "replies:", "routing:", "mail:"):
        assert app not in base
    assert "replies:bulk_macro" not in queue
