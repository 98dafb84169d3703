"""Regression probes for the security review (issue 11): each test is one attack that once
worked and must keep failing. The schema fuzzing of the API is in test_api_fuzz.py."""

import pytest
from django.test import Client
from django.urls import reverse

from anliegen.portal.tests.conftest import sign_in
from anliegen.testing import make_ticket
from anliegen.tickets import actions
from anliegen.tickets.models import Message
from anliegen.tickets.storage import IncomingFile


# --- 1. merging across customers -------------------------------------------------------------


def test_it_keeps_a_customers_mail_out_of_another_customers_portal_when_merging(world):
    erikas = make_ticket(
        team=world.support, customer=world.customer, subject="Vertrag", text="Meine IBAN ist DE89 3704",
        attachments=[IncomingFile("vertrag.pdf", "application/pdf", b"%PDF Erikas Vertrag")],
    )
    attachment = Message.objects.get(ticket=erikas).attachments.get()
    jens_case = make_ticket(team=world.support, customer=world.other_customer, subject="Router")
    with pytest.raises(actions.ActionError):
        actions.merge_tickets(source=erikas, target=jens_case, actor=world.agent)  # a mistyped number

    jens = sign_in(Client(), world.other_customer)
    page = jens.get(reverse("portal:case", args=[jens_case.number]))
    assert page.status_code == 200
    assert "DE89" not in page.text and "vertrag.pdf" not in page.text
    assert jens.get(reverse("portal:attachment", args=[attachment.pk])).status_code == 404
    erika = sign_in(Client(), world.customer)
    own = erika.get(reverse("portal:case", args=[erikas.number]))
    assert "DE89" in own.text and "vertrag.pdf" in own.text
    assert erika.get(reverse("portal:attachment", args=[attachment.pk])).status_code == 200
    assert Message.objects.filter(ticket=erikas).count() == 1
