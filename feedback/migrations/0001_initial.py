"""MeetingFeedback moved here from matchmaking with its table (``db_table`` kept): the model enters
this app's state only, and its content type follows it, so that the staff group's permissions
and the admin's history stay attached to it."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="meetingfeedback").exists():
        ContentType.objects.filter(app_label=source, model="meetingfeedback").update(app_label=target)


def content_type_forward(apps, schema_editor):
    _move(apps, "matchmaking", "feedback")


def content_type_backward(apps, schema_editor):
    _move(apps, "feedback", "matchmaking")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('matchmaking', '0008_proposals_and_feedback_move_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MeetingFeedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('side', models.CharField(choices=[('company', 'Moroccan firm'), ('operator', 'Operator')], max_length=10, verbose_name='side')),
                        ('stage', models.CharField(choices=[('after', 'After the mission'), ('3_months', '3 months later'), ('6_months', '6 months later')], max_length=10, verbose_name='stage')),
                        ('rating', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='rating')),
                        ('outcome', models.CharField(choices=[('no_interest', 'No interest'), ('follow_up', 'Follow-up planned'), ('proposal', 'Proposal sent'), ('deal', 'Deal signed')], max_length=12, verbose_name='outcome')),
                        ('estimated_value', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='estimated value (MAD)')),
                        ('comment', models.TextField(blank=True, max_length=2000, verbose_name='comment')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='matchmaking.meeting', verbose_name='meeting')),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by')),
                    ],
                    options={
                        'verbose_name': 'meeting feedback',
                        'verbose_name_plural': 'meeting feedback',
                        'db_table': 'matchmaking_meetingfeedback',
                        'ordering': ['meeting', 'stage', 'side'],
                        'constraints': [models.UniqueConstraint(fields=('meeting', 'side', 'stage'), name='feedback_once_per_side_and_stage'), models.CheckConstraint(condition=models.Q(('side__in', ['company', 'operator'])), name='feedback_side_valid'), models.CheckConstraint(condition=models.Q(('stage__in', ['after', '3_months', '6_months'])), name='feedback_stage_valid'), models.CheckConstraint(condition=models.Q(('outcome__in', ['no_interest', 'follow_up', 'proposal', 'deal'])), name='feedback_outcome_valid'), models.CheckConstraint(condition=models.Q(('rating__isnull', True), models.Q(('rating__gte', 1), ('rating__lte', 5)), _connector='OR'), name='feedback_rating_range'), models.CheckConstraint(condition=models.Q(models.Q(('stage', 'after'), _negated=True), ('rating__isnull', False), _connector='OR'), name='feedback_rated_after_mission'), models.CheckConstraint(condition=models.Q(('estimated_value__isnull', True), ('estimated_value__gte', 0), _connector='OR'), name='feedback_value_not_negative')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_forward, content_type_backward),
    ]
