from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("feedback/<str:token>/", views.feedback, name="feedback"),
]
