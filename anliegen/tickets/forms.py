"""The workspace's forms. Every problem is said next to its field (or at the top of the form)."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import Team, User
from anliegen.lib import onetime
from anliegen.tickets.models import Channel, Level, Priority, Status
from anliegen.tickets.storage import AttachmentRejected, IncomingFile, check_file


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        result = []
        for f in files:
            try:
                check_file(f.name, f.size)
            except AttachmentRejected as exc:
                raise forms.ValidationError(str(exc)) from exc
            result.append(IncomingFile(filename=f.name, content_type=f.content_type or "application/octet-stream",
                                       data=f.read()))
        return result


class OneTimeForm(onetime.OneTimeForm):
    """The workspace's one-time forms (anliegen.lib.onetime, the portal's too). A post without a
    token (a script) is taken without the one-time guarantee."""

    token_required = False
    token_error_field = None


class ReplyForm(OneTimeForm):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}), strip=True,
                           error_messages={"required": _("Write a reply before sending.")})
    status = forms.ChoiceField(label=_("Then set status"), choices=[("", _("keep"))] + list(Status.choices),
                               required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    # The newest customer message or reply the agent had on screen when they started writing:
    # a newer one (the customer wrote again, a colleague answered) is shown before sending.
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class NoteForm(OneTimeForm):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), strip=True,
                           error_messages={"required": _("Write a note before saving.")})


def team_choices(teams: Iterable[Team], own_team_ids: Iterable[int] | None = None) -> list[tuple[Any, Any]]:
    """Every team a case can be moved to; with own_team_ids, the user's own teams first and the
    others apart (after moving a case there, they no longer see it)."""
    pairs = [(str(t.pk), t.name) for t in teams]
    if own_team_ids is None:
        return pairs
    own = {str(pk) for pk in own_team_ids}
    mine = [p for p in pairs if p[0] in own]
    others = [p for p in pairs if p[0] not in own]
    if not mine or not others:
        return pairs
    return [(_("Your teams"), mine), (_("Other teams"), others)]


class TicketFieldsForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    team = forms.ChoiceField(label=_("Team"))
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args, teams=(), assignees=(), own_team_ids=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices(teams, own_team_ids)
        self.fields["assignee"].choices = [("", _("nobody"))] + [(str(u.pk), str(u)) for u in assignees]


class EscalateForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why the case is escalated.")})


class TagsForm(forms.Form):
    add = forms.CharField(label=_("Add tags"), required=False, help_text=_("Comma-separated"))
    remove = forms.CharField(required=False)


class MergeForm(forms.Form):
    target = forms.CharField(label=_("Merge into case number"), max_length=30)
    # Set by the confirmation step, which shows the target's subject and customer first.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


ATTACHMENT_LIMIT_MB = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)

BULK_MAX = 500


class CaseNumbersField(forms.Field):
    """The case numbers ticked in a queue (checkboxes named "tickets")."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        return list(dict.fromkeys(str(v).strip()[:30] for v in values if str(v).strip()))

    def validate(self, value: list[str]) -> None:
        if not value:
            raise forms.ValidationError(_("Tick at least one case."), code="required")
        if len(value) > BULK_MAX:
            raise forms.ValidationError(_("Change at most %(max)d cases at once.") % {"max": BULK_MAX})


class BulkForm(forms.Form):
    """The same change for every ticked case in a queue. Empty choices keep what is there."""

    tickets = CaseNumbersField()
    status = forms.ChoiceField(label=_("Set status"), required=False,
                               choices=[("", _("keep"))] + list(Status.choices))
    priority = forms.TypedChoiceField(label=_("Set priority"), required=False, coerce=int, empty_value=None,
                                      choices=[("", _("keep"))] + list(Priority.choices))
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    team = forms.ChoiceField(label=_("Move to team"), required=False)
    add_tag = forms.CharField(label=_("Add tag"), required=False, max_length=60)

    def __init__(self, *args: Any, teams: Iterable[Team] = (), assignees: Iterable[User] = (),
                 own_team_ids: Iterable[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("keep"))] + team_choices(teams, own_team_ids)
        self.fields["assignee"].choices = [("", _("keep")), ("me", _("me")), ("none", _("nobody"))] + [
            (str(u.pk), str(u)) for u in assignees
        ]
        self.fields["team"].error_messages["invalid_choice"] = _("Choose one of the teams.")
        self.fields["assignee"].error_messages["invalid_choice"] = _("Choose a member of your teams.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(name) for name in ("status", "priority", "assignee", "team", "add_tag")):
            raise forms.ValidationError(_("Choose at least one change to make."))
        return data


class NewCaseForm(OneTimeForm):
    customer_email = forms.EmailField(
        label=_("Customer's e-mail address"), max_length=254,
        help_text=_("An unknown address creates a new customer."),
        error_messages={"required": _("Enter the customer's e-mail address."),
                        "invalid": _("Enter a valid e-mail address.")},
    )
    customer_name = forms.CharField(label=_("Customer's name"), max_length=200, required=False,
                                    help_text=_("Only used for a new customer."))
    subject = forms.CharField(label=_("Subject"), max_length=300,
                              error_messages={"required": _("Give the case a short subject.")})
    text = forms.CharField(label=_("The customer's concern"), max_length=50_000,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": _("Describe the customer's concern.")})
    team = forms.ChoiceField(label=_("Team"), error_messages={"required": _("Choose the team that takes the case."),
                                                             "invalid_choice": _("Choose one of your teams.")})
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int,
                                      initial=Priority.NORMAL)

    def __init__(self, *args: Any, teams: Iterable[Team] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—")] + [(str(t.pk), t.name) for t in teams]
