"""tickets.access and tickets.permissions: read and write apart, the read grants of feature
apps, confidential teams, customer visibility, and the reads that are logged."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from anliegen import testing
from anliegen.accounts.models import Role, TeamKind
from anliegen.phone.actions import log_call
from anliegen.tickets import access, permissions
from anliegen.tickets.models import AccessLog

from .conftest import signed_in


@pytest.fixture
def rita(world):
    """Reception, who took the call that opened world.ticket."""
    reception = testing.make_team("Empfang", kind=TeamKind.RECEPTION)
    rita = testing.make_agent("rita", teams=[reception])
    log_call(actor=rita, number="+4930901820", text="Ruft wegen des Routers an.", customer=world.customer,
             ticket=world.ticket)
    return rita


def test_it_lets_reception_read_but_not_change_a_case_it_logged(world, rita):
    assert access.access_ticket(rita, world.ticket.number).pk == world.ticket.pk
    with pytest.raises(PermissionDenied):
        access.access_ticket(rita, world.ticket.number, write=True)
    assert world.ticket in access.visible_tickets(rita)
    assert world.ticket not in access.changeable_tickets(rita)
    assert not permissions.can_change_ticket(rita, world.ticket)


def test_it_never_opens_a_confidential_case_by_a_read_grant(world, rita):
    log_call(actor=rita, number="+4930901820", text="Fragt nach dem Bescheid.", customer=world.customer,
             ticket=world.confidential_ticket)
    for write in (False, True):
        with pytest.raises(Http404):
            access.access_ticket(rita, world.confidential_ticket.number, write=write)
    assert world.confidential_ticket not in access.visible_tickets(rita)


def test_it_ends_reception_s_read_access_after_the_follow_period(world, rita):
    import datetime

    from django.utils import timezone

    from django.conf import settings

    from anliegen.tickets.models import Message

    Message.objects.filter(ticket=world.ticket).update(
        created_at=timezone.now() - datetime.timedelta(days=settings.RECEPTION_FOLLOW_DAYS, hours=1))
    with pytest.raises(Http404):
        access.access_ticket(rita, world.ticket.number)


def test_it_shows_a_read_only_case_without_the_forms(world, rita):
    page = signed_in("rita").get(f"/cases/{world.ticket.number}/")
    assert page.status_code == 200
    assert 'id="read-only"' in page.text and world.ticket.subject in page.text
    assert f'action="/cases/{world.ticket.number}/reply/"' not in page.text
    refused = signed_in("rita").post(f"/cases/{world.ticket.number}/note/", {"text": "Rückruf erbeten"})
    assert refused.status_code == 403 and "You may read this case but not change it." in refused.text
    assert not world.ticket.messages.filter(text="Rückruf erbeten").exists()
    panel = signed_in("rita").get(f"/phone/cases/{world.ticket.number}/callbacks/")
    assert panel.status_code == 200 and "Book callback" not in panel.text
    assert "Book callback" in signed_in("anna").get(f"/phone/cases/{world.ticket.number}/callbacks/").text


def test_it_keeps_confidential_content_from_leads_and_admins_who_are_not_members(world):
    admin = testing.make_agent("ada", role=Role.ADMIN)
    for user in (world.lead, admin):
        assert not permissions.can_see_team(user, world.confidential)
        assert permissions.can_count_team(user, world.confidential)
        assert world.confidential_ticket not in access.visible_tickets(user)
        assert world.confidential not in access.visible_teams(user)
        with pytest.raises(Http404):
            access.access_ticket(user, world.confidential_ticket.number)
    testing.add_member(team=world.confidential, user=world.lead)
    assert access.access_ticket(world.lead, world.confidential_ticket.number, write=True)


def test_it_does_not_let_a_lead_who_is_no_member_be_assigned_a_confidential_case(world):
    from anliegen.tickets.actions import ActionError, assign_ticket

    with pytest.raises(ActionError):
        assign_ticket(ticket=world.confidential_ticket, assignee=world.lead, actor=world.confidential_member)
    world.confidential_ticket.refresh_from_db()
    assert world.confidential_ticket.assignee_id is None


def test_it_searches_and_lists_no_confidential_case_for_the_lead(world):
    lead = signed_in("lena")
    assert world.confidential_ticket.number not in lead.get("/search/", {"q": "Krankenakte"}).text
    assert world.confidential_ticket.number in signed_in("carla").get("/search/", {"q": "Krankenakte"}).text
    listed = [c["number"] for c in lead.get("/api/cases", {"status": "all"}).json()["items"]]
    assert world.ticket.number in listed and world.confidential_ticket.number not in listed


def test_it_counts_confidential_cases_for_the_lead_without_showing_them(world):
    from anliegen.tickets.actions import escalate_ticket

    escalate_ticket(ticket=world.confidential_ticket, reason="Widerspruch", level="lead", actor=world.confidential_member)
    page = signed_in("lena").get("/lead/").text
    assert world.confidential.name in page  # its row in the workload table, with its counts
    assert f'href="/queues/{world.confidential.slug}/"' not in page
    assert world.confidential_ticket.number not in page and "Krankenakte" not in page
    assert f'href="/queues/{world.support.slug}/"' in page


def test_it_shows_a_customer_only_to_staff_who_see_one_of_their_cases(world):
    assert access.can_see_customer(world.agent, world.customer)
    assert not access.can_see_customer(world.outsider, world.customer)
    assert access.can_see_customer(world.outsider, world.other_customer)
    only_confidential = testing.make_customer("Karl Kranich")
    testing.make_ticket(team=world.confidential, customer=only_confidential, subject="Attest")
    assert not access.can_see_customer(world.lead, only_confidential)
    assert set(access.visible_customers(world.confidential_member)) == {world.customer, only_confidential}
    with pytest.raises(Http404):
        access.access_customer(world.lead, only_confidential.pk)


def test_it_logs_a_panel_loaded_by_the_case_page_once_and_a_panel_alone_each_time(world):
    anna = signed_in("anna")
    page = anna.get(f"/cases/{world.ticket.number}/").text
    assert AccessLog.objects.filter(ticket=world.ticket, user=world.agent).count() == 1
    import re

    panel_urls = re.findall(r'hx-get="([^"]+\?read=[^"]+)"', page)
    assert panel_urls, "the case page gives its panels the read token"
    for url in panel_urls:
        assert anna.get(url.replace("&amp;", "&")).status_code == 200
    assert AccessLog.objects.filter(ticket=world.ticket, user=world.agent).count() == 1
    # Without the token (or with another user's), a panel is a read of its own.
    assert anna.get(f"/phone/cases/{world.ticket.number}/journey/").status_code == 200
    forged = panel_urls[0].split("?")[0] + "?read=" + access.read_token(world.teammate, world.ticket)
    assert anna.get(forged).status_code == 200
    assert list(AccessLog.objects.filter(ticket=world.ticket, user=world.agent).values_list("via", flat=True)
                .order_by("id")) == ["web", "panel", "panel"]


def test_it_expresses_segregation_of_duties(world):
    assert permissions.can_act_after(world.agent, earlier=[world.teammate, None])
    assert not permissions.can_act_after(world.agent, earlier=[world.agent])
    assert not permissions.can_act_after(world.agent, earlier=[world.agent.pk])


def test_it_gives_the_existing_rules_their_predicates(world):
    assert permissions.can_merge(world.agent, world.ticket, world.ticket)
    assert not permissions.can_merge(world.agent, world.ticket, world.other_ticket)
    assert permissions.can_escalate(world.agent, world.ticket) and not permissions.can_escalate(world.outsider, world.ticket)
    assert permissions.can_move_ticket(world.agent, world.ticket, world.support)
    assert not permissions.can_move_ticket(world.agent, world.ticket, world.commercial)
    assert permissions.can_assign(world.agent, world.ticket, world.teammate)
    assert not permissions.can_assign(world.agent, world.ticket, world.outsider)
    assert not permissions.can_see_confidential(world.lead, world.confidential)
    assert permissions.can_see_confidential(world.confidential_member, world.confidential)
