"""Keeping ``updated_at`` true, so that "changed since" misses nothing (see ``selectors``).

Two ways a change could leave ``updated_at`` behind, both handled here rather than in every
writer: a save that names its fields without ``updated_at`` (Django moves an ``auto_now`` field
only when it is saved), and a change of a row that has no timestamp but is served as part of
another one (a programme item in its mission, a delegate or a contact in the firm, a session's
place in its meetings), which moves its parent's. The receivers match models by name, so that
they follow a model moved to another app. ``QuerySet.update()`` sends no signal: the product's
writers use it only for transient states that a ``save()`` completes in the same transaction.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

# Models the API serves with their own ``updated_at``.
TIMESTAMPED = {"mission", "application", "company", "operator", "meeting", "meetingrequest",
               "meetingfeedback"}  # fmt: skip
# Saves of a user that change nothing the API shows.
USER_NOISE = {"last_login", "password"}


def _touch(model, **lookup) -> None:
    if any(v is None for v in lookup.values()):
        return
    model._default_manager.filter(**lookup).update(updated_at=timezone.now())


def _parent_models(instance):
    return {f.name: f.related_model for f in instance._meta.concrete_fields if f.is_relation}


@receiver(post_save, dispatch_uid="api-updated-at")
def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    name = sender._meta.model_name
    if name in TIMESTAMPED and update_fields is not None and "updated_at" not in update_fields:
        _touch(sender, pk=instance.pk)
    elif name in ("programmeitem", "delegate", "meetingsession"):
        _child_changed(instance)
    elif name == "user" and not (update_fields and set(update_fields) <= USER_NOISE):
        _contact_changed(instance)


@receiver(post_delete, dispatch_uid="api-updated-at-delete")
def _deleted(sender, instance, **kwargs):
    if sender._meta.model_name in ("programmeitem", "delegate"):
        _child_changed(instance)
    elif sender._meta.model_name == "user":
        _contact_changed(instance)


def _child_changed(instance) -> None:
    name = instance._meta.model_name
    parents = _parent_models(instance)
    if name == "programmeitem":
        _touch(parents["mission"], pk=instance.mission_id)
    elif name == "delegate":
        _touch(parents["application"], pk=instance.application_id)
    elif name == "meetingsession":  # its place is shown with each of its meetings
        from matchmaking.models import Meeting

        _touch(Meeting, slot__session_id=instance.pk)


def _contact_changed(user) -> None:
    parents = _parent_models(user)
    if getattr(user, "company_id", None):
        _touch(parents["company"], pk=user.company_id)
    if getattr(user, "operator_id", None):
        _touch(parents["operator"], pk=user.operator_id)


@receiver(m2m_changed, dispatch_uid="api-updated-at-m2m")
def _sectors_changed(sender, instance, action, reverse, **kwargs):
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    if type(instance)._meta.model_name in ("company", "operator"):
        _touch(type(instance), pk=instance.pk)
