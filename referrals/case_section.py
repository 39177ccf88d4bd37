"""The Referrals section of the case page (registered in ``cases.sections`` by
``ReferralsConfig.ready()``): her referrals in one query, and the way to a new one."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.sections import CaseSection, SectionRequest
from referrals.queries import referrals_of_case


def build(request: SectionRequest) -> dict[str, Any]:
    case = request.case
    return {
        "referrals": list(referrals_of_case(case)),
        # A new one only from an open case one may work.
        "can_refer": request.can_work and not case.is_closed,
    }


SECTION = CaseSection(
    anchor="referrals",
    title=_("Referrals"),
    template="referrals/case/_case_section.html",
    build=build,
    count_key="referrals",
)
