from django.urls import path

from . import views

app_name = "operators"
urlpatterns = [
    path("", views.operator_home, name="home"),
    path("profile/", views.operator_profile, name="profile"),
]
