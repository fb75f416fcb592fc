from django.urls import path

from . import views

app_name = "operators"
urlpatterns = [
    path("profile/", views.operator_profile, name="profile"),
]
