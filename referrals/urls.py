from django.urls import path

from referrals.views import case_side, directory, partner

app_name = "referrals"

urlpatterns = [
    # --- case side (referrals/views/case_side.py): caseworkers and supervisors ---
    path("case/<uuid:case_id>/new/", case_side.create, name="create"),
    path("<uuid:referral_id>/", case_side.detail, name="detail"),
    path("<uuid:referral_id>/edit/", case_side.edit, name="edit"),
    path("<uuid:referral_id>/step/<slug:step>/", case_side.step, name="step"),
    path("<uuid:referral_id>/review/", case_side.review, name="review"),
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
