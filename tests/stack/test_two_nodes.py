"""Two application servers behind one Caddy, plus the worker (issue 15, item 2).

The installed wheel runs as two gunicorn servers on two ports; Caddy balances them
round-robin and names the server that answered in ``X-Amparo-Upstream``, so each test can
prove that one server did one half and the other server the other half. Everything the
servers share lives in PostgreSQL (docs/deploy.md, "More than one application server"):
sessions, sign-in failures, sealed attachments, row locks, the access log's one chain and
the mail queue.

Run it alone: ``pytest tests/stack -m stack -k two_nodes`` (databases of its own,
``$AMPARO_STACK_DB`` + ``_two``).
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests
import urllib3
from django_otp.oath import TOTP

from tests.stack.conftest import DB, Stack, running_stack, wait_for

pytestmark = pytest.mark.stack
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # Caddy's local CA

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 200_000 + b"\n"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
used_steps: dict[str, int] = {}


@pytest.fixture(scope="module")
def two_nodes():
    with running_stack(f"{DB}_two", app_servers=2) as stack:
        yield stack


@pytest.fixture(scope="module")
def people(two_nodes: Stack) -> dict:
    return two_nodes.helper("people")


class Person:
    """One person's browser: a session through Caddy, noting which server answered."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = requests.Session()
        self.http.verify = False
        self.http.trust_env = False  # else REQUESTS_CA_BUNDLE would override verify

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.stack.url + path, allow_redirects=False, timeout=30)

    def post(self, path: str, data: dict, *, form: str | None = None,
             files: dict | None = None) -> requests.Response:
        page = self.get(form or path)
        token = TOKEN.search(page.text).group(1)
        return self.http.post(
            self.stack.url + path, data={"csrfmiddlewaretoken": token, **data}, files=files,
            headers={"Origin": self.stack.url, "Referer": self.stack.url + (form or path)},
            allow_redirects=False, timeout=30)


def served_by(response: requests.Response) -> str:
    return response.headers["X-Amparo-Upstream"]


def code_for(username: str, secret_hex: str) -> str:
    while int(time.time() // 30) <= used_steps.get(username, -1):
        time.sleep(1)  # a code is accepted once: wait for the next one, as she would
    used_steps[username] = int(time.time() // 30)
    return f"{TOTP(bytes.fromhex(secret_hex)).token():06d}"


def signed_in(stack: Stack, username: str, password: str, secret: str) -> tuple[Person, str]:
    person = Person(stack)
    answer = person.post("/accounts/login/", {"username": username, "password": password})
    assert answer.status_code == 302, answer.status_code
    answer = person.post("/accounts/two-factor/", {"token": code_for(username, secret)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/", answer.text[:300]
    return person, served_by(answer)


def test_a_session_signed_in_through_one_server_works_on_the_other(two_nodes: Stack, people):
    lucia, signed_in_on = signed_in(two_nodes, "lucia", people["password"],
                                    people["secrets"]["lucia"])

    pages = [lucia.get("/cases/") for _ in range(4)]

    assert [page.status_code for page in pages] == [200] * 4
    assert {served_by(page) for page in pages} == {f"127.0.0.1:{p}" for p in two_nodes.app_ports}
    assert any(served_by(page) != signed_in_on for page in pages)


def test_five_wrong_passwords_spread_over_both_servers_lock_the_account(
    two_nodes: Stack, people
):
    marta = two_nodes.helper("caseworker", "marta")
    answers = []
    for attempt in range(5):
        person = Person(two_nodes)
        if attempt % 2:
            # Each attempt is a GET of the form and its POST, so round-robin would send
            # every POST to the same server: one more request moves every other one over.
            person.get("/accounts/login/")
        answer = person.post("/accounts/login/",
                                        {"username": "marta", "password": "wrong password"})
        answers.append((answer.status_code, served_by(answer)))

    assert len({server for _status, server in answers}) == 2, answers
    assert answers[-1][0] == 429, answers
    for _ in range(2):  # refused by both servers, even with her password
        answer = Person(two_nodes).post("/accounts/login/",
                                        {"username": "marta", "password": people["password"]})
        assert answer.status_code == 429
    assert marta["secret"]


def test_an_attachment_uploaded_through_one_server_downloads_through_the_other(
    two_nodes: Stack, people
):
    lucia, _ = signed_in(two_nodes, "lucia", people["password"], people["secrets"]["lucia"])
    case = two_nodes.helper("case")["case"]

    upload = lucia.post(f"/cases/{case}/attachments/", {"attachment-kind": "legal"},
                        form=f"/cases/{case}/",
                        files={"attachment-file": ("denuncia.pdf", PDF, "application/pdf")})
    assert upload.status_code == 302, upload.text[:500]
    [attachment] = set(re.findall(rf"/cases/{case}/attachments/([0-9a-f-]{{36}})/",
                                  lucia.get(f"/cases/{case}/").text))
    downloads = [lucia.get(f"/cases/{case}/attachments/{attachment}/") for _ in range(2)]
    [other] = [d for d in downloads if served_by(d) != served_by(upload)]

    assert other.status_code == 200 and other.content == PDF


def test_two_approvals_racing_through_different_servers_have_exactly_one_winner(
    two_nodes: Stack, people
):
    case = two_nodes.helper("case")["case"]
    referral = two_nodes.helper("submitted", case)["referral"]
    carmen, _ = signed_in(two_nodes, "carmen", people["password"],
                          people["secrets"]["carmen"])
    page = f"/referrals/{referral}/"
    tokens = [TOKEN.search(carmen.get(page).text).group(1) for _ in range(2)]
    start = threading.Barrier(2)
    answers: list[requests.Response] = []

    def approve(token: str) -> None:
        start.wait()
        answers.append(carmen.http.post(
            f"{two_nodes.url}/referrals/{referral}/step/approve/",
            data={"csrfmiddlewaretoken": token}, allow_redirects=False, timeout=30,
            headers={"Origin": two_nodes.url, "Referer": two_nodes.url + page}))

    racers = [threading.Thread(target=approve, args=(token,)) for token in tokens]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    assert len({served_by(answer) for answer in answers}) == 2
    assert all(answer.status_code < 500 for answer in answers)
    assert two_nodes.helper("referral_state", referral) == {"state": "sent", "approvals": 1}


def test_each_mail_leaves_exactly_once(two_nodes: Stack):
    # One referral was submitted (a mail to the supervisor) and approved by the winner of
    # the race (a mail to the partner); the worker and both servers had every chance to
    # send one twice.
    wait_for(lambda: two_nodes.helper("outgoing_mail")["unsent"] == 0, "the owed mail", 60)
    time.sleep(3)
    owed = two_nodes.helper("outgoing_mail")["owed"]
    notifications = [m for m in two_nodes.mailbox.messages if "/referrals/" in m]

    assert len(_to("carmen@stack.invalid", two_nodes)) == 1
    assert len(_to("refugio@stack.invalid", two_nodes)) == 1
    assert owed >= 2 and len(notifications) == owed


def test_every_event_of_both_servers_lands_in_one_chain_that_verifies(two_nodes: Stack):
    result = two_nodes.amparo("verify_audit")

    assert result.returncode == 0, result.stdout + result.stderr


def _to(address: str, stack: Stack) -> list[str]:
    return [m for m in stack.mailbox.messages if f"To: {address}" in m]
