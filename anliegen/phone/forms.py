"""Forms of the phone app. They check what the user typed and say what is wrong next to the
field; the writes happen in phone.actions."""

import datetime
from typing import Any

import phonenumbers
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import LANGUAGE_CHOICES, Team, User
from anliegen.customers.actions import (
    InvalidPhoneNumber,
    find_customer_by_email,
    find_customer_by_phone,
    normalise_phone,
    phone_region_of_user,
)
from anliegen.customers.models import Customer
from anliegen.phone.access import callable_cases
from anliegen.phone.actions import PAST_GRACE, format_when
from anliegen.phone.models import CallbackOutcome
from anliegen.tickets.access import can_see_customer
from anliegen.tickets.models import Priority, Ticket

NUMBER_HELP = _("Type it with the area code, e.g. 030 1234567, or with the country code, e.g. +45 20 12 34 56.")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def local_input_value(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _not_past(value: datetime.datetime | None, what: str) -> None:
    if value is not None and value < timezone.now() - PAST_GRACE:
        raise forms.ValidationError(_("%(what)s %(when)s has already passed; choose a time from now on.")
                                    % {"what": what, "when": format_when(value)})


def parse_number(raw: str, region: str = "") -> tuple[str, str]:
    """(E.164 number, "") or ("", message for the user). region: the country of a number typed
    without its country code (see customers.actions.phone_region_of_user)."""
    raw = raw.strip()
    if not raw:
        return "", str(_("Type the caller's number."))
    problem = str(_("%(number)s is not a phone number that can be dialled.") % {"number": raw}) + " " + \
        str(NUMBER_HELP)
    try:
        e164 = normalise_phone(raw, region)
    except InvalidPhoneNumber:
        return "", problem
    # normalise_phone only checks the length; a number new to us must also exist in its
    # country's numbering plan. One a customer already has is taken as it is.
    if not phonenumbers.is_valid_number(phonenumbers.parse(e164)) and find_customer_by_phone(e164) is None:
        return "", problem
    return e164, ""


def staff_choices(teams: list[Team]) -> list[tuple[str, Any]]:
    """Assignee choices grouped by team, for the reception form."""
    groups: list[tuple[str, Any]] = [("", _("nobody"))]
    members = (User.objects.filter(is_active=True, memberships__team__in=teams)
               .values_list("memberships__team_id", "pk", "display_name", "username").order_by("display_name"))
    by_team: dict[int, list[tuple[str, str]]] = {}
    for team_id, pk, display, username in members:
        by_team.setdefault(team_id, []).append((str(pk), display or username))
    for team in teams:
        if by_team.get(team.pk):
            groups.append((team.name, by_team[team.pk]))
    return groups


class LogCallForm(forms.Form):
    number = forms.CharField(label=_("Caller's number"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("from the number"))] + LANGUAGE_CHOICES,
                                 required=False)
    link_existing = forms.BooleanField(required=False)
    case = forms.CharField(required=False)
    note = forms.CharField(label=_("What the caller said"), widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": _("Write down what the caller said.")})
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    summary = forms.CharField(label=_("Summary for the customer"), max_length=1000, required=False)
    team = forms.ModelChoiceField(label=_("Hand to team"), queryset=Team.objects.all(), required=False,
                                  empty_label=_("— choose a team —"))
    assignee = forms.ChoiceField(label=_("Agent"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int,
                                      initial=Priority.NORMAL, required=False, empty_value=Priority.NORMAL)
    callback_at = forms.DateTimeField(label=_("Call back at"), required=False, widget=DateTimeLocalInput())
    callback_note = forms.CharField(label=_("Callback note"), max_length=500, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        teams = list(Team.objects.all())
        self.fields["assignee"].choices = staff_choices(teams)
        self.caller: Customer | None = None
        self.ticket: Ticket | None = None
        self.e164 = ""
        self.email_owner: Customer | None = None
        self.email_owner_label = ""

    def clean_number(self) -> str:
        e164, problem = parse_number(self.cleaned_data["number"], phone_region_of_user(self.user))
        if problem:
            raise forms.ValidationError(problem)
        self.e164 = e164
        return e164

    def clean_callback_at(self) -> datetime.datetime | None:
        value = self.cleaned_data.get("callback_at")
        _not_past(value, str(_("The callback time")))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.e164:
            return data
        self.caller = find_customer_by_phone(self.e164)
        if self.caller is None:
            self._clean_new_caller(data)
        case = (data.get("case") or "new").strip()
        if case != "new":
            if self.caller is None:
                self.add_error("case", _("Choose one of the caller's open cases."))
            else:
                self.ticket = callable_cases(self.user, self.caller).filter(pk=case if case.isdigit() else 0).first()
                if self.ticket is None:
                    self.add_error("case", _("Choose one of the caller's open cases."))
        team: Team | None = data.get("team")
        if case == "new" and team is None:
            self.add_error("team", _("Choose the team that takes the case."))
        target = team or (self.ticket.team if self.ticket else None)
        assignee_id = data.get("assignee")
        data["assignee_user"] = None
        if assignee_id and target is not None:
            assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
            if assignee is None or not (assignee.is_lead or target.memberships.filter(user=assignee).exists()):
                self.add_error("assignee", _("Choose an agent of %(team)s, or nobody.") % {"team": target})
            else:
                data["assignee_user"] = assignee
        return data

    def _clean_new_caller(self, data: dict[str, Any]) -> None:
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Unknown number: type the caller's name to create the customer."))
        email = data.get("email")
        if not email:
            return
        owner = find_customer_by_email(email)
        if owner is None:
            return
        if data.get("link_existing"):
            self.caller = owner
            return
        self.email_owner = owner
        if can_see_customer(self.user, owner):
            self.email_owner_label = str(owner)
            self.add_error("email", _("This address belongs to %(name)s. If the caller is %(name)s, tick “add the "
                                      "number to this customer”; otherwise leave the e-mail empty.") % {"name": owner})
        else:  # a customer this user may not see stays unnamed (tickets.access.visible_customers)
            self.add_error("email", _("This address belongs to another customer. If it is the caller's, tick “add "
                                      "the number to this customer”; otherwise leave the e-mail empty."))


class CallbackForm(forms.Form):
    due_at = forms.DateTimeField(label=_("Call back at"), widget=DateTimeLocalInput(),
                                 error_messages={"required": _("Say when to call back.")})
    agent = forms.ChoiceField(label=_("Agent"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    reminder_at = forms.DateTimeField(label=_("Remind at"), required=False, widget=DateTimeLocalInput(),
                                      help_text=_("Empty: 15 minutes before"))

    def __init__(self, *args: Any, agents: list[User] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "cb_%s")  # the case view has its own id_* fields
        super().__init__(*args, **kwargs)
        agents = agents or []
        self.agents = {str(a.pk): a for a in agents}
        self.fields["agent"].choices = [("", _("the team"))] + [(pk, str(a)) for pk, a in self.agents.items()]

    def clean_due_at(self) -> datetime.datetime:
        value = self.cleaned_data["due_at"]
        _not_past(value, str(_("The callback time")))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["agent_user"] = self.agents.get(data.get("agent") or "")
        due, reminder = data.get("due_at"), data.get("reminder_at")
        if due and reminder and reminder > due:
            self.add_error("reminder_at", _("The reminder must come before the callback is due."))
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=CallbackOutcome.choices + [("cancel", _("Cancel"))])
    note = forms.CharField(max_length=1000, required=False)
    retry_at = forms.DateTimeField(required=False, widget=DateTimeLocalInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("outcome") == CallbackOutcome.RETRY and not data.get("retry_at") and "retry_at" not in self.errors:
            self.add_error("retry_at", _("Say when to try again."))
        if data.get("outcome") != CallbackOutcome.RETRY:
            return data
        try:
            _not_past(data.get("retry_at"), str(_("The next try")))
        except forms.ValidationError as exc:
            self.add_error("retry_at", exc)
        return data
