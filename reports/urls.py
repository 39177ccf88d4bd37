from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.statistics_page, name="statistics"),
    path("monthly/", views.monthly_report, name="monthly"),
    path("export/cases/", views.cases_export, name="cases_export"),
    path("export/ctdc/", views.ctdc_export, name="ctdc_export"),
]
