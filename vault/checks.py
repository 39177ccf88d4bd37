"""System checks: models with sealed fields are declared so that sealing can work.

The missing-key refusal is not here but in ``VaultConfig.ready``: checks do not run
under gunicorn, ``ready`` runs in every process.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import models

from vault import blind_index, keyring
from vault.fields import BlindIndexField, EncryptedField, EncryptedFileField, live_model


def _bit_budget_errors(model: type[models.Model]) -> list[Error]:
    """The blind indexes of one row together may not be narrower than one index may be:
    the combination is what must be shared by the minimum bucket of rows."""
    indexes = [
        blind_index.registered()[f.index]
        for f in model._meta.concrete_fields
        if isinstance(f, BlindIndexField) and f.index in blind_index.registered()
    ]
    if len(indexes) < 2:
        return []
    budget = blind_index.truncation_bits(
        settings.AMPARO_BLIND_INDEX_EXPECTED_RECORDS, settings.AMPARO_BLIND_INDEX_MIN_BUCKET
    )
    spent = sum(index.bits for index in indexes)
    if spent <= budget:
        return []
    return [Error(
        f"{model._meta.label} stores {len(indexes)} blind indexes of {spent} bits together; "
        f"one row may carry {budget} bits, or the combination singles its row out.",
        hint="Keep one blind index per row and confirm the other values after opening, or "
        "give each index expected_records so that their bits add up to the budget.",
        obj=model, id="vault.E005",
    )]


@register(Tags.models)
def check_sealed_models(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from django.apps import apps

    return sealed_model_errors(apps.get_models())


def sealed_model_errors(candidates: Iterable[type[models.Model]]) -> list[Error]:
    errors: list[Error] = []
    for model in candidates:
        if live_model(model) is not model:
            continue  # history models copy the live model's declaration
        sealed = [
            f for f in model._meta.concrete_fields
            if isinstance(f, EncryptedField | EncryptedFileField)
        ]
        if not sealed:
            continue
        pk = model._meta.pk
        if not isinstance(pk, models.UUIDField) or not callable(pk.default):
            errors.append(Error(
                f"{model._meta.label} has sealed fields but its primary key is not a UUIDField "
                "with a default made in Python (e.g. uuid.uuid4).",
                hint="Sealed values are bound to the row id, so it must exist before the insert.",
                obj=model, id="vault.E001",
            ))
        attnames = {f.attname for f in model._meta.concrete_fields}
        for field in sealed:
            if field.owner not in attnames:
                errors.append(Error(
                    f"{model._meta.label}.{field.name} names owner {field.owner!r}, which is not "
                    "a column of the model.",
                    hint="Use the attname holding the owner's UUID, e.g. 'id' or 'survivor_id'.",
                    obj=field, id="vault.E002",
                ))
        errors += _bit_budget_errors(model)
        for field in model._meta.concrete_fields:
            if isinstance(field, BlindIndexField) and field.index not in blind_index.registered():
                errors.append(Error(
                    f"{model._meta.label}.{field.name} uses blind index {field.index!r}, which "
                    "is not declared.", obj=field, id="vault.E004",
                ))
    return errors


@register(Tags.database)
def check_keys_database(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    default, keys = settings.DATABASES["default"], settings.DATABASES.get("keys")
    if keys is None:
        return [Error("DATABASES has no 'keys' alias for the wrapped data keys.", id="vault.E003")]
    if (
        default["ENGINE"] == keys["ENGINE"] == "django.db.backends.sqlite3"
        and str(default["NAME"]) == str(keys["NAME"])
    ):
        # Two SQLite connections on one file deadlock: a key is written while the main
        # transaction holds the write lock.
        return [Error(
            "On SQLite the keys database must be a different file from the main database.",
            hint="Leave KEYS_DATABASE_URL unset, or point it at another file.",
            id="vault.E003",
        )]
    return []


@register()
def check_key_files(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    warnings = []
    if keyring.get().generated_for_development:
        warnings.append(Warning(
            "Amparo is using development keys generated under VAR_DIR: fine for the demo, "
            "never for real people's data.", id="vault.W001",
        ))
    for path in keyring.loose_key_files():
        warnings.append(Warning(
            f"The key file {path} can be read by other users of this machine.",
            hint=f"chmod 600 {path}", id="vault.W002",
        ))
    return warnings


@register()
def check_files_left_behind(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Sealed files still on disk while another storage is configured: a deployment that
    upgraded to database storage (the default) without moving its attachments, whose
    downloads would now fail."""
    from pathlib import Path

    if settings.AMPARO_FILE_STORAGE == "filesystem":
        return []
    options = settings.AMPARO_FILE_STORAGES["filesystem"].get("OPTIONS", {})
    left = Path(options.get("location", "")) / "vault"
    if options.get("location") and left.is_dir() and any(left.iterdir()):
        return [Warning(
            f"Sealed files are still in {left}, but AMPARO_FILE_STORAGE is "
            f"{settings.AMPARO_FILE_STORAGE!r}: attachments not moved cannot be opened.",
            hint=f"manage.py move_sealed_files --from filesystem --to "
                 f"{settings.AMPARO_FILE_STORAGE} --delete-source moves them and removes "
                 "each once its copy is verified (docs/deploy.md, section 11).",
            id="vault.W003",
        )]
    return []
