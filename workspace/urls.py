from django.urls import path

from workspace import views

# No namespace: "home" is the name every app's templates and redirects already use.
urlpatterns = [
    path("", views.home, name="home"),
    path("follow-ups/", views.my_follow_ups, name="my_follow_ups"),
]
