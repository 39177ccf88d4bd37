"""What can go wrong when sealing or opening, as exceptions a caller can tell apart.

Rules: no message ever carries key material, stored bytes or plaintext. Messages name
the model, field and row id (none of which is survivor content) so that an operator can
find the record. ``user_message`` is the translated text a web user may be shown.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class VaultError(Exception):
    """Base class of every vault error."""

    user_message = _("This information cannot be opened. The problem has been recorded.")


class CannotOpen(VaultError):
    """A sealed value or file did not open. Callers never fall back to the stored bytes."""


class IntegrityFailure(CannotOpen):
    """The value was altered, moved to another row or field, or never sealed by the vault.

    An integrity event has been recorded in the access log before this was raised.
    """

    user_message = _(
        "This information failed an integrity check and cannot be opened. "
        "The event has been recorded for the auditors."
    )


class MissingDataKey(IntegrityFailure):
    """The owner has sealed data but no data key: the keys database lost a row."""


class MasterKeyError(CannotOpen):
    """The owner's data key cannot be unwrapped with the master keys that are loaded."""

    user_message = _(
        "This information cannot be opened because the encryption keys are misconfigured. "
        "Please tell your administrator."
    )


class UnknownMasterKey(MasterKeyError):
    """The data key is wrapped by a master key id that is not loaded."""


class WrongMasterKey(MasterKeyError):
    """A master key with this id is loaded, but it is not the key that wrapped the data key."""


class OwnerShredded(CannotOpen):
    """The owner's data key was destroyed on purpose: nothing of theirs opens, ever again."""

    user_message = _("This information was permanently erased and can no longer be opened.")


class FileTooLarge(VaultError):
    """An attachment is larger than the vault accepts."""

    user_message = _("The file is too large. Files may be at most 50 MB.")
