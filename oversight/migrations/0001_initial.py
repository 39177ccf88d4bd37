# The auditors' reviews of emergency grants, taken over from `audit` (issue 10).
#
# Written by hand. The table `audit_grantreview` exists already (audit.0003) with its
# append-only triggers (audit.0005); audit.0007 removed the model from `audit`'s picture,
# and this migration adds it to `oversight`'s under the same table name. Nothing is
# created, copied or dropped in the database.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("audit", "0007_grantreview_moves_to_oversight"),
        ("cases", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GrantReview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "finding",
                            models.CharField(
                                choices=[
                                    ("justified", "Justified"),
                                    ("not_justified", "Not justified"),
                                    ("needs_follow_up", "Needs follow-up"),
                                ],
                                max_length=32,
                                verbose_name="finding",
                            ),
                        ),
                        (
                            "note",
                            models.TextField(
                                blank=True,
                                help_text=(
                                    "Shown to auditors only. Do not write anything about "
                                    "the survivor."
                                ),
                                verbose_name="auditor's note",
                            ),
                        ),
                        (
                            "reviewed_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="reviewed at"
                            ),
                        ),
                        (
                            "grant",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="review",
                                to="cases.emergencygrant",
                                verbose_name="emergency access",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="reviewed by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "emergency access review",
                        "verbose_name_plural": "emergency access reviews",
                        "ordering": ["-reviewed_at"],
                        "db_table": "audit_grantreview",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
