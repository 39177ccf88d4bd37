"""The auditor's pages of exports, under /audit/exports/ next to the rest of her pages
(``oversight.urls``); they live here because the export records are this app's."""

from django.urls import path

from reports import views

app_name = "export_audit"

urlpatterns = [
    path("", views.auditor_exports, name="list"),
    path("<uuid:export_id>/", views.auditor_export, name="detail"),
]
