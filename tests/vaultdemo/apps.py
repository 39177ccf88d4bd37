from django.apps import AppConfig


class VaultDemoConfig(AppConfig):
    """A test-only app: a model with sealed fields and history for the vault's tests."""

    name = "tests.vaultdemo"
    label = "vaultdemo"
