"""The crawl of the demo (tests/e2e/crawling.py): every page each demo role reaches, at
390 and 1280 px, in English and Spanish, with every form also submitted empty.

It fails on any axe violation, sideways scrolling, a phone page over three screens that is
not paginated, a wrong ``<html lang>``, two kinds of
page sharing an h1, a focused control hidden under a sticky bar, a refused form whose
error a reader would not meet, and on a Spanish page any English interface string or raw
vocabulary code; the failure lists every problem with its kind of page and URL. The
report of what each role reached and how long it took is written to var/crawl/report.txt.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.demo import DEMO_PASSWORD, PEOPLE
from tests.e2e.crawling import Crawler, all_url_names, report

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.crawl,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

REPORT = Path(settings.BASE_DIR) / "var" / "crawl" / "report.txt"


def _one_person_per_role() -> list[tuple[str, str]]:
    """The first demo person of each role, in the demo's order.

    ``AMPARO_CRAWL_ROLES=partner,auditor`` limits the crawl to those roles while a page is
    being fixed; a limited crawl still fails on what it finds, but proves nothing of the
    other roles, so CI always runs it whole."""
    people: dict[str, str] = {}
    for person in PEOPLE:
        people.setdefault(str(person.role), person.username)
    wanted = {role.strip() for role in os.environ.get("AMPARO_CRAWL_ROLES", "").split(",")}
    wanted.discard("")
    if wanted:
        unknown = wanted - set(people)
        assert not unknown, f"AMPARO_CRAWL_ROLES names no demo role: {sorted(unknown)}"
        return [(role, username) for role, username in people.items() if role in wanted]
    return list(people.items())


def test_every_page_of_every_demo_role_passes_the_crawl(settings, browser, live_server):
    if connection.vendor != "sqlite":
        # The crawl checks pages, not the database; it runs once, on SQLite, so that CI's
        # two runs of the suite stay within its time.
        pytest.skip("the crawl runs on SQLite only (it checks pages, not the database)")
    settings.AMPARO_DEMO = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    crawler = Crawler(browser, live_server.url, DEMO_PASSWORD)
    crawls = [crawler.discover(role, username) for role, username in _one_person_per_role()]
    for crawl in crawls:
        crawler.recheck(crawl)
    crawler.check_headings()
    for crawl in crawls:
        crawler.submit_empty_forms(crawl)

    text = report(crawls, crawler, all_url_names())
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text + "\n", encoding="utf-8")
    print(text)
    problems = "\n".join(str(finding) for finding in crawler.findings)
    assert not crawler.findings, (
        f"the crawl found {len(crawler.findings)} problems (report: {REPORT}):\n{problems}"
    )
