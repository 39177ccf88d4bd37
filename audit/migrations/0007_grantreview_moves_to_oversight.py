# The auditors' reviews of emergency grants move to the `oversight` app (issue 10): the
# ground keeps the access log, the workplace that judges grants sits above `cases`.
#
# Written by hand. Only Django's picture of the models changes: the table
# `audit_grantreview`, its rows and its append-only triggers (migration 0005) stay as
# they are, and `oversight.0001` takes the model over under the same table name.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0006_alter_accessevent_action"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GrantReview")],
            database_operations=[],
        ),
    ]
