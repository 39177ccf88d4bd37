from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.export, name="export"),
    path("case/", views.case_access, name="case_access"),
    path("person/", views.person_activity, name="person_activity"),
    path("denied/", views.denied, name="denied"),
    path("emergency-access/", views.grants, name="grants"),
    path("emergency-access/<uuid:grant_id>/review/", views.grant_review, name="grant_review"),
    path("anomalies/", views.anomaly_list, name="anomalies"),
]
