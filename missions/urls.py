from django.urls import path

from . import views

app_name = "missions"
urlpatterns = [
    path("", views.mission_list, name="list"),
    path("<slug:slug>/", views.mission_detail, name="detail"),
    path("<slug:slug>/meet/", views.mission_meet, name="meet"),
]
