from django.urls import path

from . import views

app_name = "outbox"
urlpatterns = [
    path("hooks/whatsapp/", views.whatsapp_webhook, name="whatsapp_webhook"),
    path("hooks/twilio/status/", views.twilio_status, name="twilio_status"),
    path("hooks/twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
    path("stop/<token:token>/", views.stop, name="stop"),
]
