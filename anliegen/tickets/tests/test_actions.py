"""The tickets actions, called directly: change_ticket and the actions built on it, escalation,
tags, merging, replies and notes. Each asserts what the action returns and what the database holds."""

import pytest

from anliegen import testing
from anliegen.accounts.models import User
from anliegen.tickets import actions, hooks
from anliegen.tickets.models import Event, Level, Message, MessageKind, Priority, Status, Tag, Ticket


def _history(ticket: Ticket) -> list[tuple[str, str, object, object]]:
    return list(Event.objects.filter(ticket=ticket).order_by("id").values_list("kind", "field", "before", "after"))


def _snapshot(ticket: Ticket) -> tuple:
    row = Ticket.objects.get(pk=ticket.pk)
    return (row.status, row.priority, row.team_id, row.assignee_id, row.updated_at, row.solved_at,
            sorted(row.tags.values_list("name", flat=True)), _history(ticket))


# --- change_ticket -----------------------------------------------------------------------------

def test_it_changes_several_fields_with_one_event_each(world):
    events = actions.change_ticket(ticket=world.ticket, actor=world.agent, status=Status.SOLVED,
                                   priority=Priority.URGENT, assignee=world.teammate, add_tags=["Router"])
    assert [(e.kind, e.field) for e in events] == [
        ("status", "status"), ("priority", "priority"), ("assigned", "assignee"), ("tagged", "tags")]
    row = Ticket.objects.get(pk=world.ticket.pk)
    assert (row.status, row.priority, row.assignee, row.solved_at is not None) == (
        Status.SOLVED, Priority.URGENT, world.teammate, True)
    assert _history(world.ticket)[1:] == [
        ("status", "status", "new", "solved"), ("priority", "priority", 2, 4),
        ("assigned", "assignee", None, world.teammate.pk), ("tagged", "tags", [], ["router"])]
    assert all(e.actor == world.agent for e in events)


@pytest.mark.parametrize("change, message", [
    ({"status": "bogus"}, "Unknown status: bogus"),
    ({"priority": 99}, "Unknown priority: 99"),
    ({"priority": -1}, "Unknown priority: -1"),
    ({"assignee": "outsider"}, "Olga is not a member of Technischer Support"),
])
def test_a_refused_change_leaves_case_and_history_untouched(world, change, message):
    if change.get("assignee") == "outsider":
        change["assignee"] = world.outsider
    before = _snapshot(world.ticket)
    with pytest.raises(actions.ActionError, match=message):
        actions.change_ticket(ticket=world.ticket, actor=world.agent,
                              **{"status": Status.SOLVED, "priority": Priority.URGENT, "add_tags": ["neu"], **change})
    assert _snapshot(world.ticket) == before
    assert not Tag.objects.filter(name="neu").exists()


def test_it_names_every_problem_at_once(world):
    with pytest.raises(actions.ActionError) as refused:
        actions.change_ticket(ticket=world.ticket, actor=world.agent, status="bogus", priority=0,
                              assignee=world.outsider)
    assert "Unknown status: bogus" in str(refused.value)
    assert "Unknown priority: 0" in str(refused.value)
    assert "Olga is not a member of Technischer Support" in str(refused.value)


def test_it_refuses_a_team_that_no_longer_exists(world):
    gone = testing.make_team("Aufgelöst")
    gone.delete()
    before = _snapshot(world.ticket)
    with pytest.raises(actions.ActionError, match="Unknown team: Aufgelöst"):
        actions.change_ticket(ticket=world.ticket, actor=world.lead, status=Status.SOLVED, team=gone)
    assert _snapshot(world.ticket) == before


def test_it_writes_nothing_when_nothing_changes(world):
    before = _snapshot(world.ticket)
    assert actions.change_ticket(ticket=world.ticket, actor=world.agent, status=Status.NEW,
                                 priority=Priority.NORMAL, team=world.support, assignee=None,
                                 remove_tags=["nie-gesetzt"]) == []
    assert _snapshot(world.ticket) == before


def test_hooks_see_the_case_after_every_field_was_written(world):
    seen = []

    def watch(*, ticket, event, **_kwargs):
        row = Ticket.objects.get(pk=ticket.pk)
        seen.append((event.field, row.status, row.priority))

    hooks.register("ticket_changed", watch)
    try:
        actions.change_ticket(ticket=world.ticket, actor=world.agent, status=Status.PENDING, priority=Priority.HIGH)
    finally:
        hooks._hooks["ticket_changed"][:] = [p for p in hooks._hooks["ticket_changed"] if p[1] is not watch]
    assert seen == [("status", "pending", 3), ("priority", "pending", 3)]


# --- assignment: one rule for every caller ---------------------------------------------------

def test_it_assigns_a_member_of_the_cases_team_or_a_lead(world):
    actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)
    assert Ticket.objects.get(pk=world.ticket.pk).assignee == world.teammate
    actions.assign_ticket(ticket=world.ticket, assignee=world.lead, actor=world.agent)
    assert Ticket.objects.get(pk=world.ticket.pk).assignee == world.lead
    actions.assign_ticket(ticket=world.ticket, assignee=None, actor=world.agent)
    assert Ticket.objects.get(pk=world.ticket.pk).assignee is None
    assert [h[3] for h in _history(world.ticket) if h[0] == "assigned"] == [world.teammate.pk, world.lead.pk, None]


def test_it_refuses_an_assignee_outside_the_team(world):
    with pytest.raises(actions.ActionError, match="Olga is not a member of Technischer Support"):
        actions.assign_ticket(ticket=world.ticket, assignee=world.outsider, actor=world.lead)
    assert Ticket.objects.get(pk=world.ticket.pk).assignee is None
    assert not Event.objects.filter(ticket=world.ticket, kind="assigned").exists()


def test_it_refuses_an_inactive_assignee(world):
    User.objects.filter(pk=world.teammate.pk).update(is_active=False)  # as the admin site does
    world.teammate.refresh_from_db()
    with pytest.raises(actions.ActionError, match="can no longer be assigned"):
        actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)


def test_a_confidential_teams_cases_go_only_to_its_members(world):
    with pytest.raises(actions.ActionError, match="Only members of the confidential team"):
        actions.assign_ticket(ticket=world.confidential_ticket, assignee=world.agent, actor=world.lead)
    actions.assign_ticket(ticket=world.confidential_ticket, assignee=world.confidential_member, actor=world.lead)
    assert Ticket.objects.get(pk=world.confidential_ticket.pk).assignee == world.confidential_member


def test_the_assignee_is_checked_against_the_team_the_case_moves_to(world):
    actions.change_ticket(ticket=world.ticket, actor=world.lead, team=world.commercial, assignee=world.outsider)
    row = Ticket.objects.get(pk=world.ticket.pk)
    assert (row.team, row.assignee) == (world.commercial, world.outsider)
    with pytest.raises(actions.ActionError, match="Tom is not a member of Kaufmännischer Support"):
        actions.change_ticket(ticket=world.other_ticket, actor=world.lead, team=world.commercial,
                              assignee=world.teammate)
    # The current assignee sent back with a move (as the field form does) is kept only if they may follow.
    actions.change_ticket(ticket=world.ticket, actor=world.lead, team=world.support, assignee=world.outsider)
    row = Ticket.objects.get(pk=world.ticket.pk)
    assert (row.team, row.assignee) == (world.support, None)


def test_a_moved_case_drops_an_assignee_who_may_not_follow_with_an_event(world):
    actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)
    actions.move_to_team(ticket=world.ticket, team=world.commercial, actor=world.lead, reason="Rechnungsfrage")
    row = Ticket.objects.get(pk=world.ticket.pk)
    assert (row.team, row.assignee) == (world.commercial, None)
    assert _history(world.ticket)[-2:] == [("moved", "team", world.support.pk, world.commercial.pk),
                                           ("assigned", "assignee", world.teammate.pk, None)]
    # A lead may be assigned in any team, so they stay.
    actions.assign_ticket(ticket=world.ticket, assignee=world.lead, actor=world.lead)
    actions.move_to_team(ticket=world.ticket, team=world.support, actor=world.lead)
    assert Ticket.objects.get(pk=world.ticket.pk).assignee == world.lead


# --- status, priority, tags ----------------------------------------------------------------

def test_status_changes_keep_solved_and_closed_times(world):
    actions.set_status(ticket=world.ticket, status=Status.SOLVED, actor=world.agent)
    solved = Ticket.objects.get(pk=world.ticket.pk)
    assert solved.solved_at is not None and solved.closed_at is None
    actions.set_status(ticket=world.ticket, status=Status.CLOSED, actor=world.agent)
    closed = Ticket.objects.get(pk=world.ticket.pk)
    assert (closed.solved_at, closed.closed_at is not None) == (solved.solved_at, True)
    actions.set_status(ticket=world.ticket, status=Status.OPEN, actor=world.agent)
    reopened = Ticket.objects.get(pk=world.ticket.pk)
    assert (reopened.solved_at, reopened.closed_at) == (None, None)
    assert [h[2:] for h in _history(world.ticket) if h[0] == "status"] == [
        ("new", "solved"), ("solved", "closed"), ("closed", "open")]


def test_set_priority_records_the_reason(world):
    actions.set_priority(ticket=world.ticket, priority=Priority.HIGH, actor=None, actor_label="routing",
                         reason="SLA verletzt")
    event = Event.objects.get(ticket=world.ticket, kind="priority")
    assert (event.actor, event.actor_label, event.reason, event.after) == (None, "routing", "SLA verletzt", 3)


def test_tags_are_cleaned_added_and_removed(world):
    actions.tag_ticket(ticket=world.ticket, add=["  Rück  Ruf ", "VIP", ""], actor=world.agent)
    assert sorted(world.ticket.tags.values_list("name", flat=True)) == ["rück ruf", "vip"]
    actions.tag_ticket(ticket=world.ticket, add=["vip"], actor=world.agent)  # nothing new: no event
    actions.tag_ticket(ticket=world.ticket, remove=["VIP"], actor=world.agent)
    assert list(world.ticket.tags.values_list("name", flat=True)) == ["rück ruf"]
    assert [h[2:] for h in _history(world.ticket) if h[0] == "tagged"] == [
        ([], ["rück ruf", "vip"]), (["rück ruf", "vip"], ["rück ruf"])]


# --- escalation ----------------------------------------------------------------------------

def test_it_escalates_one_level_with_a_reason_and_moves_the_team(world):
    second = testing.make_team("Second Level")
    actions.escalate_ticket(ticket=world.ticket, reason="  Dritter Kontakt  ", actor=world.agent, team=second)
    row = Ticket.objects.get(pk=world.ticket.pk)
    assert (row.level, row.team) == (Level.SECOND, second)
    event = Event.objects.get(ticket=world.ticket, kind="escalated")
    assert (event.before, event.after, event.reason) == ("first", "second", "Dritter Kontakt")
    assert Event.objects.filter(ticket=world.ticket, kind="moved", after=second.pk).exists()


def test_it_refuses_an_escalation_without_reason_or_downwards(world):
    with pytest.raises(actions.ActionError, match="Say why"):
        actions.escalate_ticket(ticket=world.ticket, reason=" ", actor=world.agent)
    actions.escalate_ticket(ticket=world.ticket, reason="x", actor=world.agent, level=Level.LEAD)
    with pytest.raises(actions.ActionError, match="already at"):
        actions.escalate_ticket(ticket=world.ticket, reason="x", actor=world.agent, level=Level.SECOND)
    assert Ticket.objects.get(pk=world.ticket.pk).level == Level.LEAD
    assert Event.objects.filter(ticket=world.ticket, kind="escalated").count() == 1


# --- merging -------------------------------------------------------------------------------

def test_it_merges_messages_and_tags_and_closes_the_source(world):
    target = testing.make_ticket(team=world.support, customer=world.customer, subject="Router, zweiter Versuch")
    actions.tag_ticket(ticket=world.ticket, add=["router"], actor=world.agent)
    actions.merge_tickets(source=world.ticket, target=target, actor=world.agent, reason="Doppelt")
    source = Ticket.objects.get(pk=world.ticket.pk)
    target.refresh_from_db()
    assert (source.status, source.merged_into, source.message_count) == (Status.CLOSED, target, 0)
    assert target.message_count == 2 == Message.objects.filter(ticket=target).count()
    assert list(target.tags.values_list("name", flat=True)) == ["router"]
    assert Event.objects.get(ticket=target, kind="merged").after == {"from": source.number, "messages": 1}
    with pytest.raises(actions.ActionError, match="cannot be reopened"):
        actions.set_status(ticket=source, status=Status.OPEN, actor=world.agent)
    with pytest.raises(actions.ActionError, match="already merged"):
        actions.merge_tickets(source=source, target=target, actor=world.agent)
    with pytest.raises(actions.ActionError, match="into itself"):
        actions.merge_tickets(source=target, target=target, actor=world.agent)


# --- messages ------------------------------------------------------------------------------

def test_a_reply_opens_a_new_case_and_sets_the_first_response(world):
    message = actions.add_reply(ticket=world.ticket, author=world.agent, text="Bitte neu starten")
    row = Ticket.objects.get(pk=world.ticket.pk)
    assert (message.kind, row.status, row.first_response_at, row.message_count) == (
        MessageKind.REPLY, Status.OPEN, message.created_at, 2)
    assert [h[0] for h in _history(world.ticket)] == ["created", "replied", "status"]


def test_a_customer_message_reopens_a_solved_case(world):
    actions.set_status(ticket=world.ticket, status=Status.SOLVED, actor=world.agent)
    actions.add_customer_message(ticket=world.ticket, customer=world.customer, text="Geht wieder nicht")
    row = Ticket.objects.get(pk=world.ticket.pk)
    assert (row.status, row.solved_at) == (Status.OPEN, None)
    assert Event.objects.filter(ticket=world.ticket, kind="reopened", actor_label="customer").exists()


def test_empty_replies_and_notes_are_refused(world):
    with pytest.raises(actions.ActionError):
        actions.add_reply(ticket=world.ticket, author=world.agent, text="  ")
    with pytest.raises(actions.ActionError):
        actions.add_note(ticket=world.ticket, author=world.agent, text="")
    assert Message.objects.filter(ticket=world.ticket).count() == 1


# --- one-time forms: one store for the workspace's and the portal's forms ---------------------

def test_a_form_token_is_claimed_once_and_answers_with_what_it_made(world):
    from anliegen.lib.onetime import FormTokenInvalid, new_form_token
    from anliegen.tickets.models import FormSubmission

    token = new_form_token()
    first, created = actions.add_note_once(ticket=world.ticket, author=world.agent, form_token=token, text="Einmal")
    again, created_again = actions.add_note_once(ticket=world.ticket, author=world.agent, form_token=token,
                                                 text="Einmal")
    assert (created, created_again, again) == (True, False, first)
    assert FormSubmission.objects.get().message == first
    with pytest.raises(FormTokenInvalid):  # the same token on another form
        actions.add_reply_once(ticket=world.ticket, author=world.agent, form_token=token, text="Anders")
    with pytest.raises(FormTokenInvalid):  # a token nobody signed
        actions.add_note_once(ticket=world.ticket, author=world.agent, form_token="a" * 32, text="Gefälscht")
    assert Message.objects.filter(ticket=world.ticket, kind=MessageKind.NOTE).count() == 1


def test_old_submissions_are_pruned(world):
    import datetime

    from anliegen.lib.onetime import new_form_token
    from anliegen.tickets.models import FormSubmission

    actions.add_note_once(ticket=world.ticket, author=world.agent, form_token=new_form_token(), text="Alt")
    assert actions.prune_form_submissions() == 0
    assert actions.prune_form_submissions(now=FormSubmission.objects.get().created_at
                                          + datetime.timedelta(days=3)) == 1
