"""ScheduleProposal moved here from matchmaking with its table (``db_table`` kept): the model enters
this app's state only, and its content type follows it, so that the staff group's permissions
and the admin's history stay attached to it."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="scheduleproposal").exists():
        ContentType.objects.filter(app_label=source, model="scheduleproposal").update(app_label=target)


def content_type_forward(apps, schema_editor):
    _move(apps, "matchmaking", "proposals")


def content_type_backward(apps, schema_editor):
    _move(apps, "proposals", "matchmaking")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('matchmaking', '0008_proposals_and_feedback_move_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('missions', '0003_staff_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScheduleProposal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('computing', 'Computing'), ('ready', 'Ready for review'), ('failed', 'Failed'), ('published', 'Published'), ('discarded', 'Discarded')], default='computing', max_length=10, verbose_name='status')),
                        ('time_limit', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(240)], verbose_name='time limit (seconds)')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='computation started')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='computation finished')),
                        ('progress', models.JSONField(blank=True, default=dict, verbose_name='progress')),
                        ('solver_status', models.CharField(blank=True, max_length=12, verbose_name='optimiser status')),
                        ('objective', models.PositiveIntegerField(blank=True, null=True, verbose_name='objective')),
                        ('bound', models.PositiveIntegerField(blank=True, null=True, verbose_name='bound')),
                        ('breaks', models.PositiveIntegerField(blank=True, null=True, verbose_name='breaks')),
                        ('breaks_before', models.PositiveIntegerField(blank=True, null=True, verbose_name='breaks before')),
                        ('seconds', models.FloatField(blank=True, null=True, verbose_name='seconds')),
                        ('error', models.TextField(blank=True, verbose_name='reason')),
                        ('basis', models.CharField(blank=True, max_length=64)),
                        ('result', models.JSONField(blank=True, default=dict, verbose_name='proposed schedule')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='published or discarded at')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published or discarded by')),
                        ('mission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='schedule_proposals', to='missions.mission')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'schedule proposal',
                        'verbose_name_plural': 'schedule proposals',
                        'db_table': 'matchmaking_scheduleproposal',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['computing', 'ready', 'failed', 'published', 'discarded'])), name='proposal_status_valid'), models.UniqueConstraint(condition=models.Q(('status', 'computing')), fields=('mission',), name='proposal_one_computing_per_mission'), models.CheckConstraint(condition=models.Q(('time_limit__gte', 1), ('time_limit__lte', 240)), name='proposal_time_limit_range'), models.CheckConstraint(condition=models.Q(('objective__isnull', True), ('bound__isnull', True), ('objective__lte', models.F('bound')), _connector='OR'), name='proposal_objective_within_bound'), models.CheckConstraint(condition=models.Q(('finished_at__isnull', True), ('finished_at__gte', models.F('created_at')), _connector='OR'), name='proposal_finishes_after_request'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('finished_at__isnull', False), _connector='OR'), name='proposal_published_once_computed')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_forward, content_type_backward),
    ]
