from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("feedback/<token:token>/", views.feedback, name="feedback"),
]
