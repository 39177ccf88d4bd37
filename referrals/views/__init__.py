"""Referral pages, one module per page.

Case side (caseworkers and supervisors; a referral through ``get_referral_for_user``, a
case through ``cases.queries.get_case_for_user``): ``drafts`` (a new referral, a draft's
edit), ``referral_page`` (the referral and its packet preview), ``steps`` (a workflow
step, the review of an emergency send), ``common`` (their addresses). Partner side
(through ``referrals.queries.inbox``): ``partner``. Everyone: ``directory``.
"""
