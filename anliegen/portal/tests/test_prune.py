import datetime

from django.utils import timezone

from anliegen.portal import actions
from anliegen.portal.models import Attempt, SignInLink
from anliegen.tickets.models import FormSubmission as Submission
from anliegen.portal.tasks import prune_portal
from anliegen.portal.tokens import new_form_token


def test_it_deletes_spent_records_and_keeps_live_ones(world):
    actions.issue_sign_in_link(customer=world.customer, email="erika@example.org")
    old = SignInLink.objects.get()
    SignInLink.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=2)
    )
    live = actions.issue_sign_in_link(customer=world.customer, email="erika@example.org")
    actions.count_attempt(kind="link-address", key="erika@example.org", limit=5)
    Attempt.objects.create(
        kind="link-address", key_hash="0" * 64, at=timezone.now() - datetime.timedelta(days=2)
    )
    actions.submit_concern(
        customer=world.customer, form_token=new_form_token(), subject="Alt", text="Alt"
    )
    Submission.objects.update(created_at=timezone.now() - datetime.timedelta(days=3))

    assert actions.prune_portal_records() == 3
    assert SignInLink.objects.count() == 1
    assert actions.find_sign_in_link(token=live).customer == world.customer
    assert Attempt.objects.count() == 1
    assert not Submission.objects.exists()


def test_it_runs_as_a_periodic_task(world):
    from anliegen.runtime import periodic

    assert any(job.name == "portal.prune" for job in periodic.jobs())
    assert prune_portal.call() == 0
