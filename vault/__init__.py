"""The vault: survivors' identifying and narrative data, sealed with per-survivor keys.

DESIGN.md §3–4 say what is sealed and why. How the cases app uses it::

    import uuid
    from django.db import models
    from simple_history.models import HistoricalRecords
    from vault.blind_index import BlindIndex, Part
    from vault.fields import BlindIndexField, EncryptedField, EncryptedFileField
    from vault import services as vault

    SURNAME_BIRTH_YEAR = BlindIndex(
        "survivor.surname_birth_year", [Part("surname"), Part("birth_year", low_entropy=True)]
    )

    class Survivor(models.Model):
        # Sealed models have UUID primary keys made in Python: the row id is bound into
        # every sealed value, so it must exist before the insert (check vault.E001).
        id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
        legal_name = EncryptedField(owner="id", null=True)   # owner: attname of the owner's UUID
        duplicate_key = BlindIndexField(index="survivor.surname_birth_year")
        history = HistoricalRecords()                         # history holds the same ciphertext

    class Attachment(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
        survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT)
        content = EncryptedFileField(owner="survivor_id")

    survivor = Survivor()
    vault.seal(survivor, legal_name="José Pérez")           # sets the field to sealed bytes
    vault.set_blind_index(survivor, "duplicate_key", "Pérez", 1990, scope=organization.pk)
    survivor.save()
    vault.unseal(survivor, "legal_name", actor=user)         # -> "José Pérez"
    vault.unseal(survivor.history.first(), "legal_name")     # history rows open the same way

    vault.seal_file(attachment, "content", request.FILES["file"])   # streamed, ≤ 50 MB
    StreamingHttpResponse(vault.open_file(attachment, "content", actor=user))

    candidates = Survivor.objects.filter(
        duplicate_key=SURNAME_BIRTH_YEAR.compute("perez", 1990, scope=organization.pk)
    )
    # ... then open each candidate and confirm: index values are shared on purpose.

    vault.shred_owner(survivor.id, actor=user)   # every value and file of hers: OwnerShredded

Rules the API keeps:

- Fields hold ciphertext only; saving plaintext into an ``EncryptedField`` raises.
- Opening fails closed with a ``vault.exceptions.CannotOpen`` subclass: ``IntegrityFailure``
  (altered, moved, foreign; an integrity event is recorded and survives rollback),
  ``OwnerShredded``, or ``MasterKeyError`` (misconfigured keys). Each carries a translated
  ``user_message``. Opening for a user is the caller's access event to record.
- Data keys are created and committed on the ``keys`` database independently of the
  caller's transaction. ``vault.services.ensure_data_key(owner_id)`` creates one early.
- Unwrapped keys are cached only inside a key scope: ``vault.middleware.KeyCacheMiddleware``
  per request, ``@vault.scope.key_scope()`` on a command's ``handle``.
- ``vault.fields.encrypted_fields()`` / ``encrypted_file_fields()`` enumerate every sealed
  column (history tables included) for tests such as the canary scan.
- Commands: ``rotate_master_key`` (resumable re-wrap), ``vault_status``. Keys:
  ``vault.keyring`` (formats and settings), ``python -m vault.keygen`` (new keys).

Modules: ``services`` (the API), ``crypto`` (byte formats), ``datakeys`` (key life
cycle), ``files`` (chunked files), ``blind_index``, ``keyring``, ``scope`` (key cache and
durable events), ``fields``, ``exceptions``. This package imports nothing at load time so
that ``python -m vault.keygen`` works without settings.
"""
