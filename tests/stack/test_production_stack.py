"""The production stack end to end, as issue 11 asks, in a real browser through Caddy.

The tests run in file order on one stack (tests/stack/conftest.py): a caseworker signs in
over HTTPS, registers an intake and submits a referral, and the notification reaches the
mail server with the case code and link only; PostgreSQL restarts mid-run; five wrong
passwords from one address; backup, loss of everything, restore; the documented key
rotation with a case written during it.

The first test after the package's own is a deployer's first day: `amparo
create_organization` prints the administrator's one-time link, she chooses her password
and enrols her phone over HTTPS, and invites a caseworker, whose mailed link does the
same. The people of the later tests are made by tests/stack/stack_helper.py with
authenticators whose secrets the test knows, so that each test can sign in again; every
other step goes through the pages or the `amparo` command.
"""

from __future__ import annotations

import base64
import email
import http.client
import re
import shutil
import ssl
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from tests.stack.conftest import Stack, recreate_databases, wait_for

pytestmark = pytest.mark.stack

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
NAME, FAMILY = "Rosa Elvira", "Quispe Mamani"
ROTATION_NAME = "Juana Inés"
state: dict = {}


def code_for(username: str, secret_hex: str) -> str:
    """The code her phone shows now; a code is accepted once, so a second sign-in of the
    same person waits for the next 30-second step, as she would."""
    used = state.setdefault("used_steps", {})
    while int(time.time() // 30) <= used.get(username, -1):
        time.sleep(1)
    used[username] = int(time.time() // 30)
    totp = TOTP(bytes.fromhex(secret_hex))
    return f"{totp.token():06d}"


@pytest.fixture(scope="module")
def people(stack: Stack) -> dict:
    return stack.helper("people")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def sign_in(browser, stack: Stack, people: dict, username: str):
    context = browser.new_context(ignore_https_errors=True, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(stack.url + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(people["password"])
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("input[name=token]").fill(code_for(username, people["secrets"][username]))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == stack.url, page.url
    return page


def register_intake(page, stack: Stack, given: str, family: str) -> str:
    page.goto(stack.url + "/cases/new/")
    page.locator("input[name=given_names]").fill(given)
    page.locator("input[name=family_names]").fill(family)
    page.locator("input[name=birth_date]").fill("1994-03-02")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
    # The first submission only checks for an existing record; then she registers.
    for button in ("button[name=confirm]", "button[name=register_anyway]"):
        if page.locator(button).count():
            page.locator(button).click()
            page.wait_for_load_state()
            break
    match = re.search(r"/cases/([0-9a-f-]{36})/", page.url)
    assert match, page.url
    return match.group(1)


def case_name_shown(page, stack: Stack, case_id: str) -> str:
    page.goto(f"{stack.url}/cases/{case_id}/")
    return page.locator(".case-name").first.inner_text()


def mails_with(stack: Stack, needle: str) -> list[email.message.Message]:
    return [email.message_from_string(m) for m in stack.mailbox.messages if needle in m]


def test_the_package_runs_from_its_own_environment_outside_the_tree(stack: Stack):
    result = subprocess.run(
        [str(stack.venv / "bin" / "python"), "-c",
         "import config, vault, operations; print(config.__file__)"],
        cwd=stack.home, env=stack.env, capture_output=True, text=True, check=True)
    assert str(stack.venv) in result.stdout
    assert stack.amparo("help").returncode == 0
    assert stack.status("/health/") in (200, 503)
    # Migrations, static files and keys made nothing inside the installed package ...
    site_packages = Path(result.stdout.strip()).parents[1]
    assert not (site_packages / "var").exists()
    assert (Path(stack.env["AMPARO_VAR_DIR"]) / "static" / "staticfiles.json").exists()
    # The catalogue was compiled into the wheel: the pages speak Spanish.
    assert (site_packages / "locale" / "es" / "LC_MESSAGES" / "django.mo").exists()
    request = urllib.request.Request(stack.url + "/accounts/login/",
                                     headers={"Accept-Language": "es"})
    with urllib.request.urlopen(request, context=ssl._create_unverified_context()) as page:
        assert "Contraseña" in page.read().decode()
    # ... and without AMPARO_VAR_DIR it refuses to start rather than write there.
    env = {k: v for k, v in stack.env.items() if k != "AMPARO_VAR_DIR"}
    refused = subprocess.run([str(stack.venv / "bin" / "amparo"), "check"], cwd=stack.home,
                             env=env, capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "Set AMPARO_VAR_DIR" in refused.stderr


INVITATION = re.compile(r"https://\S+/accounts/invitation/[A-Za-z0-9_-]+/")


def mail_body(message: email.message.Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    # The sink kept the message as text, so an 8-bit body comes back as bytes that are not
    # quite its charset's: the link is ASCII, and "replace" spares the rest.
    return "".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", "replace")
        for part in parts if part.get_content_type() == "text/plain"
    )


def follow_invitation(browser, stack: Stack, link: str, password: str):
    """What she does with her link: choose a password, type the key into her phone's app
    and the code it shows, keep her recovery codes, arrive at her home."""
    context = browser.new_context(ignore_https_errors=True, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(link)
    page.locator("input[name=new_password1]").fill(password)
    page.locator("input[name=new_password2]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("details summary").click()
    secret = "".join(page.locator("p.secret").inner_text().split())
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("input[name=token]").fill(f"{TOTP(key).token():06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("ul.codes li").count() == 10
    page.locator("main a.button").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == stack.url, page.url
    return page


def test_the_command_invites_the_first_administrator_who_invites_a_caseworker(
    stack: Stack, browser
):
    printed = stack.amparo(
        "create_organization", "--name", "Casa Esperanza", "--kind", "shelter",
        "--country", "Perú", "--city", "Cusco", "--admin-username", "elena",
        "--admin-email", "elena@stack.invalid", "--admin-first-name", "Elena",
    ).stdout
    [admin_link] = INVITATION.findall(printed)
    assert admin_link.startswith(stack.url + "/")
    admin = follow_invitation(browser, stack, admin_link, "casa-esperanza-cusco-2026")

    admin.goto(stack.url + "/accounts/users/new/")
    assert admin.locator("input[name=password]").count() == 0  # she never knows it
    admin.locator("input[name=username]").fill("rocio")
    admin.locator("input[name=first_name]").fill("Rocío")
    admin.locator("input[name=email]").fill("rocio@stack.invalid")
    admin.locator("select[name=role]").select_option("caseworker")
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_load_state()
    wait_for(lambda: mails_with(stack, "rocio@stack.invalid"), "the invitation mail", 60)
    [message] = mails_with(stack, "rocio@stack.invalid")
    [link] = INVITATION.findall(mail_body(message))
    caseworker = follow_invitation(browser, stack, link, "casa-esperanza-rocio-77")
    response = caseworker.goto(stack.url + "/cases/new/")
    assert response is not None and response.status == 200
    # The link worked once.
    again = caseworker.goto(link)
    assert again is not None and again.status == 410


def test_a_referral_notification_reaches_the_mail_server_with_code_and_link_only(
    stack: Stack, people: dict, browser
):
    page = sign_in(browser, stack, people, "lucia")
    case_id = register_intake(page, stack, NAME, FAMILY)
    state["case_id"] = case_id
    code = stack.helper("consent", case_id)["case"]
    state["code"] = code
    state["attachment"] = stack.helper("attach", case_id)

    # The case page folds its sections; the menu's link opens "referrals" (no script).
    page.goto(f"{stack.url}/cases/{case_id}/?section=referrals#referrals")
    page.locator(f"section#referrals a[href='/referrals/case/{case_id}/new/']").click()
    page.wait_for_load_state()
    page.locator(f"input[name=offering][value='{people['offering']}']").check()
    page.locator("form:has(input[name=offering]) button[type=submit]").click()
    page.wait_for_load_state()
    form = page.locator("form:has(textarea[name=reason])")
    form.locator("input[name=urgency][value=urgent]").check()
    form.locator("textarea[name=reason]").fill("Necesita un lugar seguro esta semana.")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("form[action$='/step/submit/'] button[type=submit]").click()
    page.wait_for_load_state()
    state["referral_url"] = page.url

    wait_for(lambda: mails_with(stack, "carmen@stack.invalid"), "the mail to the supervisor", 30)
    [message] = mails_with(stack, "carmen@stack.invalid")
    body = message.get_payload(decode=True).decode()
    assert code in message["Subject"] + body
    assert f"{stack.url}/referrals/" in body
    for secret in (NAME, FAMILY, "Rosa", "lugar seguro"):
        assert secret not in stack.mailbox.messages[-1]
    page.context.close()


def test_after_a_postgresql_restart_requests_succeed_and_owed_mail_leaves(
    stack: Stack, people: dict, browser
):
    worker = stack.processes["worker"]
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, timeout=120)
    wait_for(lambda: subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0,
             "PostgreSQL", 60)

    assert stack.status("/accounts/login/") == 200  # the first request after the restart
    page = sign_in(browser, stack, people, "carmen")
    page.goto(state["referral_url"])
    page.locator("form[action$='/step/approve/'] button[type=submit]").click()
    page.wait_for_load_state()

    wait_for(lambda: mails_with(stack, "refugio@stack.invalid"), "the partner's mail", 90)
    assert worker.poll() is None, "the worker died with the database restart"
    wait_for(lambda: stack.status("/health/") == 200, "health after the restart", 60)
    page.context.close()


def _post_login(stack: Stack, source: str, username: str, password: str) -> int:
    """A sign-in attempt through Caddy from the local address ``source`` (127.0.0.x)."""
    context = ssl._create_unverified_context()

    def connection() -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("localhost", stack.https_port, context=context,
                                           source_address=(source, 0), timeout=20)

    first = connection()
    first.request("GET", "/accounts/login/")
    response = first.getresponse()
    html = response.read().decode()
    cookie = "; ".join(
        value.split(";")[0] for name, value in response.getheaders() if name == "Set-Cookie")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    second = connection()
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username,
                                   "password": password})
    second.request("POST", "/accounts/login/", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
        "Origin": stack.url})
    return second.getresponse().status


def test_five_wrong_passwords_from_one_address_do_not_lock_her_out_elsewhere(
    stack: Stack, people: dict
):
    answers = [_post_login(stack, "127.0.0.2", "lucia", "wrong password")
               for _ in range(5)]
    assert answers[-1] == 429, answers
    assert _post_login(stack, "127.0.0.2", "lucia", people["password"]) == 429

    assert _post_login(stack, "127.0.0.3", "lucia", people["password"]) == 302


def test_backup_loss_and_restore_bring_back_the_case_its_attachment_and_the_log(
    stack: Stack, people: dict, browser
):
    backups = stack.home / "backups"
    backups.mkdir()
    stack.amparo("backup", "--output", str(backups))
    [backup] = backups.iterdir()

    stack.stop_application()
    recreate_databases()
    # Sealed files live in the database by default; a disk folder, if any, is lost too.
    shutil.rmtree(Path(stack.env["AMPARO_VAR_DIR"]) / "media", ignore_errors=True)
    stack.amparo("restore", str(backup), "--identity", str(stack.home / "etc" / "backup.key"),
                 as_owner=True)
    stack.grant_to_application()
    stack.amparo("verify_audit")
    stack.amparo("vault_status")
    stack.start_application()

    page = sign_in(browser, stack, people, "lucia")
    assert case_name_shown(page, stack, state["case_id"]).startswith(NAME)
    attachment = state["attachment"]
    response = page.request.get(
        f"{stack.url}/cases/{state['case_id']}/attachments/{attachment['attachment']}/")
    assert response.status == 200
    assert response.body() == attachment["bytes"].encode("latin-1")
    page.context.close()


def test_the_documented_key_rotation_keeps_every_case_open(stack: Stack, people: dict,
                                                          browser):
    """docs/operations.md: new line first, rotate, remove the old line; no restart."""
    key_file = Path(stack.env["AMPARO_MASTER_KEY_FILE"])
    old = key_file.read_text().strip()
    new = subprocess.run([str(stack.venv / "bin" / "python"), "-m", "vault.keygen", "2027"],
                         capture_output=True, text=True, check=True).stdout.splitlines()[1]
    assert new.startswith("2027:")
    key_file.write_text(f"{new}\n{old}\n")

    page = sign_in(browser, stack, people, "lucia")
    during = register_intake(page, stack, ROTATION_NAME, "Cruz")  # written mid-rotation
    result = stack.amparo("rotate_master_key", "--no-progress")
    assert "older master keys may now be removed" in result.stdout
    key_file.write_text(f"{new}\n")  # the old line removed; nothing restarted
    time.sleep(1.5)  # longer than the processes' look at the file

    status = stack.amparo("vault_status").stdout
    assert "wrapped by 2027" in status and "wrapped by 2026" not in status
    assert case_name_shown(page, stack, state["case_id"]).startswith(NAME)
    assert case_name_shown(page, stack, during).startswith(ROTATION_NAME)
    after = register_intake(page, stack, "Teresa", "Huanca")
    assert case_name_shown(page, stack, after).startswith("Teresa")
    page.context.close()
