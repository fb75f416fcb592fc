from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("missions/<slug:slug>/emails/", views.mission_emails, name="mission_emails"),
    path("emails/<int:pk>/retry/", views.email_retry, name="email_retry"),
]
