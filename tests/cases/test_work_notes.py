"""Notes: sealed, signed by their author, written only by people who work the case."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from cases.models import Note
from cases.services.work import add_note
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

BODY = "Llamó desde el albergue; está tranquila."


def _post(client, case, body=BODY):
    return client.post(reverse("cases:add_note", kwargs={"case_id": case.pk}), {"note-body": body})


def _content_events():
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED).order_by("pk"))


def test_it_saves_the_owners_note_sealed_and_goes_back_to_the_notes(client_for, caseworker, case):
    client = client_for(caseworker)
    before = len(_content_events())
    response = _post(client, case)
    assert response.status_code == 302
    assert response["Location"].endswith("#notes")
    note = Note.objects.get(case=case)
    assert note.author == caseworker
    assert BODY.encode() not in bytes(note.body)
    assert vault.unseal(note, "body") == BODY
    events = _content_events()[before:]
    assert [e.action for e in events] == [Action.NOTE_ADDED]
    assert events[0].case_code == case.code


def test_a_colleague_with_a_change_share_may_add_a_note(client_for, collaborator, case):
    assert _post(client_for(collaborator), case).status_code == 302
    assert Note.objects.filter(case=case, author=collaborator).exists()


def test_the_read_only_colleague_gets_403_and_nothing_is_saved(client_for, viewer, case):
    response = _post(client_for(viewer), case)
    assert response.status_code == 403
    assert not Note.objects.exists()
    denied = AccessEvent.objects.get(actor=viewer, outcome=Outcome.DENIED)
    assert denied.action == Action.NOTE_ADDED


def test_an_outsider_gets_404_and_nothing_is_saved(client_for, outsider, case):
    assert _post(client_for(outsider), case).status_code == 404
    assert not Note.objects.exists()


def test_an_empty_note_is_refused_with_a_message_and_nothing_is_saved(client_for, caseworker, case):
    response = _post(client_for(caseworker), case, body="   ")
    assert response.status_code == 200
    assert "Write the note before saving it." in response.content.decode()
    assert not Note.objects.exists()
    assert not AccessEvent.objects.filter(action=Action.NOTE_ADDED).exists()


def test_the_case_page_lists_notes_newest_first_with_author(
    client_for, caseworker, collaborator, case
):
    add_note(actor=caseworker, case=case, body="Primera nota")
    add_note(actor=collaborator, case=case, body="Segunda nota")
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    text = page.content.decode()
    assert text.index("Segunda nota") < text.index("Primera nota")
    assert collaborator.display_name in text
