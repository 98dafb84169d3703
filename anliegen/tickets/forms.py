from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from anliegen.tickets.models import Level, Priority, Status
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


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}), strip=True,
                           error_messages={"required": _("Write a reply before sending.")})
    status = forms.ChoiceField(label=_("Then set status"), choices=[("", _("keep"))] + list(Status.choices),
                               required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), strip=True,
                           error_messages={"required": _("Write a note before saving.")})


class TicketFieldsForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    team = forms.ChoiceField(label=_("Team"))
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args, teams=(), assignees=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]
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


ATTACHMENT_LIMIT_MB = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
