"""How a signed-in person is read back from her session."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's ModelBackend, reading her organisation in the same query as her account.

    Nearly every page asks for her organisation (the scope of what she may see, whether
    cases are labelled by their code alone, the header): one join on the query that
    every request makes anyway is cheaper than a second query on every page.
    """

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("organization")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
