from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # Case work's cascades that end referrals (cases/hooks.py names each one).
        from cases import hooks, sections
        from referrals import case_section, services

        hooks.CONSENT_WITHDRAWN.connect(services.withdraw_referrals_covered_by)
        hooks.SHREDDING_CONFIRMED.connect(services.withdraw_referrals_of_shredded_survivor)
        hooks.LIVE_WORK_AT_CLOSURE.connect(services.refuse_closure_with_live_referrals)
        # Her referrals on the case page (cases/sections.py).
        sections.register(case_section.SECTION)
