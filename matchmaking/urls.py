from django.urls import path

from . import views

app_name = "matchmaking"
urlpatterns = [
    path("m/<slug:slug>/directory/", views.directory, name="directory"),
    path("m/<slug:slug>/with/<int:pk>/", views.party, name="party"),
    path("m/<slug:slug>/with/<int:pk>/book/", views.book, name="book"),
    path("m/<slug:slug>/with/<int:pk>/request/", views.request_create, name="request"),
    path("m/<slug:slug>/requests/", views.requests, name="requests"),
    path("m/<slug:slug>/requests/<int:pk>/", views.request_action, name="request_action"),
    path("m/<slug:slug>/agenda/", views.agenda, name="agenda"),
    path("m/<slug:slug>/agenda.ics", views.agenda_ics, name="agenda_ics"),
    path("m/<slug:slug>/meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("m/<slug:slug>/meetings/<int:pk>/move/", views.meeting_move, name="meeting_move"),
    path("m/<slug:slug>/availability/", views.availability, name="availability"),
    path("calendar/<token:token>.ics", views.feed, name="feed"),
    path("attend/<token:token>/", views.attend, name="attend"),
    path("me/calendar/", views.calendar_settings, name="calendar"),
]
