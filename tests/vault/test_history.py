"""History tables hold exactly the ciphertext of the live rows, and it opens the same."""

from __future__ import annotations

import pytest

from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SealedRecord
from vault import services as vault
from vault.fields import EncryptedField, encrypted_fields, live_model

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def test_history_stores_the_same_ciphertext(make_record):
    record = make_record(secret="primera versión")
    first = record.secret
    vault.seal(record, secret="segunda versión")
    record.save()
    old, new = record.history.order_by("history_date")
    assert old.secret == first
    assert new.secret == SealedRecord.objects.get(pk=record.pk).secret
    assert vault.unseal(old, "secret") == "primera versión"
    assert vault.unseal(new, "secret") == "segunda versión"


def test_every_encrypted_column_of_a_model_with_history_is_encrypted_there_too():
    live = {(m, f.name) for m, f in encrypted_fields() if live_model(m) is m}
    assert (SealedRecord, "secret") in live
    for model, field_name in live:
        if hasattr(model, "history"):
            historical = model.history.model
            if field_name in getattr(historical, "_history_excluded_fields", ()):
                # Left out of the history on purpose (a referral's packet, which must
                # really go when it is withdrawn): nothing of it is there to encrypt.
                assert not any(f.name == field_name for f in historical._meta.fields)
                continue
            assert isinstance(historical._meta.get_field(field_name), EncryptedField)
            assert (historical, field_name) in {(m, f.name) for m, f in encrypted_fields()}


def test_history_value_moved_to_another_row_does_not_open(make_record, owner):
    first = make_record(owner, secret="uno")
    second = make_record(owner, secret="dos")
    history = second.history.first()
    history.secret = first.secret
    from vault.exceptions import IntegrityFailure

    with pytest.raises(IntegrityFailure):
        vault.unseal(history, "secret")

