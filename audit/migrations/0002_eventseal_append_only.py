# The hash chain's seal table, and the triggers that make events and seals insert-only
# (audit/append_only.py, audit/chain.py). Written by hand: run `manage.py seal_audit` once
# after this migration to seal the events that existed before it.

from django.db import migrations, models
import django.utils.timezone


def install_triggers(apps, schema_editor):
    from audit import append_only

    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        append_only.install(schema_editor.connection)


def uninstall_triggers(apps, schema_editor):
    from audit import append_only

    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        append_only.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventSeal',
            fields=[
                ('sequence', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='sequence')),
                ('event_id', models.BigIntegerField(unique=True, verbose_name='event id')),
                ('prev_hash', models.CharField(max_length=64, verbose_name='previous hash')),
                ('hash', models.CharField(max_length=64, verbose_name='hash')),
                ('sealed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sealed at')),
            ],
            options={
                'verbose_name': 'event seal',
                'verbose_name_plural': 'event seals',
                'ordering': ['sequence'],
            },
        ),
        # hints: the router keeps audit tables out of the `keys` database.
        migrations.RunPython(
            install_triggers, uninstall_triggers, hints={'model_name': 'accessevent'}
        ),
    ]
