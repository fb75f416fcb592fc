from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What the audit trail follows, one line per model: ``"app_label.Model": options``, the options
# being django-auditlog's (``exclude_fields``, ``mask_fields``...). Every concrete field is
# followed unless excluded; timestamps that change on every save are left out.
TRAILED: dict[str, dict] = {
    "companies.Operator": {"exclude_fields": ["updated_at"]},  # a merge deletes the duplicate
    "missions.Mission": {"exclude_fields": ["updated_at"]},
    "missions.Application": {"exclude_fields": ["updated_at"]},
    "missions.OperatorRegistration": {},
    "matchmaking.Meeting": {"exclude_fields": ["updated_at"]},
    "proposals.ScheduleProposal": {"include_fields": ["status", "decided_by", "decided_at"]},
    "api.ApiToken": {"exclude_fields": ["digest", "last_used_at"]},
    "webhooks.WebhookEndpoint": {"exclude_fields": ["secret", "previous_secret"]},
}


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from auditlog.registry import auditlog

        for label, options in TRAILED.items():
            model = self.apps.get_model(label)
            options = dict(options)
            # Only the model's own columns: not the reverse relations, which auditlog would
            # otherwise list as empty values on every creation.
            options.setdefault("include_fields", [f.name for f in model._meta.concrete_fields])
            auditlog.register(model, **options)
