"""The schedule proposals and the meetings' feedback moved to their own apps (``proposals``,
``feedback``): they leave matchmaking's state only; their tables stay as they are, and the new
apps take them over (see their ``0001_initial``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0007_feedback_staff_permissions")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("MeetingFeedback"),
                migrations.DeleteModel("ScheduleProposal"),
            ],
            database_operations=[],
        )
    ]
