"""How she was recruited becomes a list (HTCDS records several): each case's and each
history row's single value moves into the list, then the single column goes.

Historical rows are converted too, so the change history does not show every case's
recruitment as changed at this migration. ``.update()`` on the history table is safe
here: nothing is sealed in these columns and no new history is wanted for a move."""

from django.db import migrations, models


def single_to_list(apps, schema_editor):
    for name in ("Case", "HistoricalCase"):
        model = apps.get_model("cases", name)
        for code in (
            model.objects.exclude(recruitment_method="")
            .values_list("recruitment_method", flat=True).distinct()
        ):
            model.objects.filter(recruitment_method=code).update(recruitment_methods=[code])


def list_to_single(apps, schema_editor):
    # Going back keeps the first method: the old column holds only one.
    for name in ("Case", "HistoricalCase"):
        model = apps.get_model("cases", name)
        for row in model.objects.exclude(recruitment_methods=[]).only("pk", "recruitment_methods"):
            model.objects.filter(pk=row.pk).update(
                recruitment_method=(row.recruitment_methods or [""])[0]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_consent_to_police_or_prosecutor"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="recruitment_methods",
            field=models.JSONField(blank=True, default=list, verbose_name="methods of recruitment"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="recruitment_methods",
            field=models.JSONField(blank=True, default=list, verbose_name="methods of recruitment"),
        ),
        migrations.RunPython(single_to_list, list_to_single),
        migrations.RemoveField(model_name="case", name="recruitment_method"),
        migrations.RemoveField(model_name="historicalcase", name="recruitment_method"),
    ]
