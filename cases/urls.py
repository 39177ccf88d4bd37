from django.urls import path

from cases.views import case_page, intake, lists, management, retention, work

app_name = "cases"

urlpatterns = [
    # --- lists (cases/views/lists.py) ---
    path("", lists.case_list, name="case_list"),
    # --- end lists ---
    # --- intake (cases/views/intake.py) ---
    path("new/", intake.intake_start, name="intake_start"),
    path("<uuid:case_id>/edit/<slug:section>/", intake.edit_section, name="edit_section"),
    # --- end intake ---
    # --- case page (cases/views/case_page.py) ---
    path("<uuid:case_id>/", case_page.case_detail, name="case_detail"),
    path("<uuid:case_id>/history/", case_page.case_history, name="case_history"),
    path("<uuid:case_id>/name/", case_page.reveal_name, name="reveal_name"),
    # --- end case page ---
    # --- work (cases/views/work.py) ---
    path("<uuid:case_id>/notes/", work.add_note, name="add_note"),
    path("<uuid:case_id>/attachments/", work.add_attachment, name="add_attachment"),
    path(
        "<uuid:case_id>/attachments/<uuid:attachment_id>/",
        work.download_attachment,
        name="download_attachment",
    ),
    path("<uuid:case_id>/follow-ups/", work.add_follow_up, name="add_follow_up"),
    path(
        "<uuid:case_id>/follow-ups/<uuid:follow_up_id>/done/",
        work.complete_follow_up,
        name="complete_follow_up",
    ),
    path("<uuid:case_id>/risk/", work.add_risk_assessment, name="add_risk_assessment"),
    path("<uuid:case_id>/safety-plan/", work.update_safety_plan, name="update_safety_plan"),
    path("<uuid:case_id>/consents/", work.record_consent, name="record_consent"),
    path(
        "<uuid:case_id>/consents/<uuid:consent_id>/withdraw/",
        work.withdraw_consent,
        name="withdraw_consent",
    ),
    path("<uuid:case_id>/links/new/", work.create_link_group, name="create_link_group"),
    path("<uuid:case_id>/links/join/", work.join_link_group, name="join_link_group"),
    # --- end work ---
    # --- management (cases/views/management.py) ---
    path("<uuid:case_id>/assign/", management.assign, name="assign"),
    path("<uuid:case_id>/share/", management.share, name="share"),
    path("<uuid:case_id>/share/remove/", management.unshare, name="unshare"),
    path("<uuid:case_id>/close/", management.close, name="close"),
    path("<uuid:case_id>/reopen/", management.reopen, name="reopen"),
    path("<uuid:case_id>/shred/", management.shred_request, name="shred_request"),
    path("<uuid:case_id>/discard/", management.discard, name="discard"),
    path("emergency/", management.emergency_access, name="emergency_access"),
    path("shredding/", management.shred_requests, name="shred_requests"),
    path("shredding/<uuid:request_id>/confirm/", management.shred_confirm, name="shred_confirm"),
    path("shredding/<uuid:request_id>/cancel/", management.shred_cancel, name="shred_cancel"),
    # --- end management ---
    # --- retention (cases/views/retention.py) ---
    path("retention/", retention.retention_reviews, name="retention_reviews"),
    path("retention/<uuid:review_id>/keep/", retention.keep, name="retention_keep"),
    path("retention/<uuid:review_id>/propose/", retention.propose, name="retention_propose"),
    # --- end retention ---
]
