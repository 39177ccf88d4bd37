from django.urls import path

from referrals.views import directory, drafts, partner, referral_page, steps

app_name = "referrals"

urlpatterns = [
    # --- case side: caseworkers and supervisors ---
    # drafts (referrals/views/drafts.py)
    path("case/<uuid:case_id>/new/", drafts.create, name="create"),
    path("<uuid:referral_id>/edit/", drafts.edit, name="edit"),
    # the referral page (referrals/views/referral_page.py)
    path("<uuid:referral_id>/", referral_page.detail, name="detail"),
    # the steps (referrals/views/steps.py)
    path("<uuid:referral_id>/step/<slug:step>/", steps.step, name="step"),
    path("<uuid:referral_id>/review/", steps.review, name="review"),
    # --- end case side ---
    # --- partner (referrals/views/partner.py): the provider's staff ---
    path("inbox/", partner.inbox_page, name="inbox"),
    path("inbox/<uuid:referral_id>/", partner.packet, name="packet"),
    path("inbox/<uuid:referral_id>/step/<slug:step>/", partner.step, name="partner_step"),
    path("inbox/<uuid:referral_id>/print/", partner.print_form, name="print"),
    # --- end partner ---
    # --- directory (referrals/views/directory.py) ---
    path("directory/", directory.search, name="directory"),
    path("directory/ours/", directory.own_list, name="own_services"),
    path("directory/ours/new/", directory.create, name="service_create"),
    path("directory/ours/<uuid:offering_id>/", directory.edit, name="service_edit"),
    path("directory/ours/<uuid:offering_id>/places/", directory.places, name="service_places"),
    # --- end directory ---
]
