"""The support plan's URLs, under its case (included at /cases/)."""

from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("<uuid:case_id>/plan/", views.plan_detail, name="plan_detail"),
    path("<uuid:case_id>/plan/start/", views.start_plan, name="start_plan"),
    path("<uuid:case_id>/plan/agreement/", views.agreement, name="agreement"),
    path("<uuid:case_id>/plan/goals/", views.add_goal, name="add_goal"),
    path("<uuid:case_id>/plan/goals/<uuid:goal_id>/", views.edit_goal, name="edit_goal"),
    path("<uuid:case_id>/plan/goals/<uuid:goal_id>/actions/", views.add_action,
         name="add_action"),
    path("<uuid:case_id>/plan/actions/<uuid:action_id>/", views.update_action,
         name="update_action"),
    path("<uuid:case_id>/plan/submit/", views.submit_plan, name="submit_plan"),
    path("<uuid:case_id>/plan/approve/", views.approve_plan, name="approve_plan"),
    path("<uuid:case_id>/plan/return/", views.return_plan, name="return_plan"),
    path("<uuid:case_id>/plan/review/", views.review, name="review"),
    path("<uuid:case_id>/plan/final-review/", views.final_review, name="final_review"),
    path("<uuid:case_id>/plan/print/", views.print_copy, name="print_copy"),
    path("<uuid:case_id>/assistance/", views.add_assistance, name="add_assistance"),
    path("<uuid:case_id>/assistance/<uuid:entry_id>/", views.confirm_assistance,
         name="confirm_assistance"),
]
