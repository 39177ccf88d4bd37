from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Support plans")

    def ready(self) -> None:
        # Lower apps name the moments plans finishes (cases/hooks.py, referrals/hooks.py);
        # plans fills them here (DESIGN §2: cases and referrals never import plans).
        from cases import hooks as case_hooks
        from cases import sections
        from plans import case_section, services
        from referrals import hooks as referral_hooks

        case_hooks.CASE_CLOSING.connect(services.close_plan_with_case)
        referral_hooks.REFERRAL_COMPLETED.connect(services.record_assistance_from_referral)
        # Where her plan stands, on the case page (cases/sections.py).
        sections.register(case_section.SECTION)
