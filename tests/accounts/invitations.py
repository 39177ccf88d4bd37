"""Helpers for tests of invitation links: find the link in a mail, take its token."""

from __future__ import annotations

import re

from django.core import mail
from django.core.mail import EmailMessage

SITE_URL = "https://amparo.example.org"
LINK = re.compile(r"(https?://\S+/accounts/invitation/([A-Za-z0-9_-]+)/)")


def mails_to(address: str) -> list[EmailMessage]:
    return [message for message in mail.outbox if address in message.to]


def link_in(message: EmailMessage) -> str:
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return found[0][0]


def token_of(link: str) -> str:
    match = LINK.fullmatch(link)
    assert match, link
    return match.group(2)


def path_of(link: str) -> str:
    assert link.startswith(SITE_URL), link
    return link[len(SITE_URL):]


def post_password(client, password: str, again: str | None = None):
    """The form the link leads to (at an address without the token)."""
    from django.urls import reverse

    return client.post(
        reverse("accounts:invitation_password"),
        {"new_password1": password, "new_password2": again or password},
    )


def choose_password(client, link: str, password: str, again: str | None = None):
    """Open the link, then choose a password; a refused link answers at the first step."""
    opened = client.get(path_of(link))
    if opened.status_code != 302:
        return opened
    return post_password(client, password, again)
