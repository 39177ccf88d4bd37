"""How a case is labelled in lists and on its header: its code, or its code and her name.

An organisation may choose to show the case code alone (``Organization.show_case_code_only``,
set by its administrator): what someone looking over a caseworker's shoulder, or at a
screen left open, can read is then a code, not who she works with. The rule is read here
once, by the code that opens names for pages (``cases.listing.open_names``,
``cases.summary.case_summary``): when the code alone is shown, names are not opened at
all, so nothing a list renders could leak one. ``templates/cases/includes/case_label.html``
draws the label the same way everywhere. The name stays one click away on the case header
(``cases.views.case_page.reveal_name``), and that click is recorded as
``case.name_revealed``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

# The state of a row's or header's name when her organisation shows the code alone.
HIDDEN = "hidden"


def shows_case_code_only(user: User) -> bool:
    """True when ``user``'s organisation labels cases by their code alone."""
    organization = getattr(user, "organization", None)
    return bool(organization is not None and organization.show_case_code_only)
