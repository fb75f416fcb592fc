from django.urls import path

from . import views

app_name = "onsite"
urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("offline/", views.offline, name="offline"),
    path("csrf/", views.csrf, name="csrf"),
    # The codes: a badge names a person, a meeting's code one meeting.
    path("<slug:slug>/b/<token:token>/", views.badge, name="badge"),
    path("<slug:slug>/m/<token:token>/", views.meeting, name="meeting"),
    path("<slug:slug>/sync/", views.sync, name="sync"),
    path("<slug:slug>/agenda/", views.agenda, name="agenda"),
    # Staff.
    path("<slug:slug>/floor/", views.floor, name="floor"),
    path("<slug:slug>/board/<int:pk>/", views.board, name="board"),
    path("<slug:slug>/board/<int:pk>/seat/", views.seat, name="seat"),
    path("<slug:slug>/board/<int:pk>/move/<int:meeting_pk>/", views.move, name="move"),
    path("<slug:slug>/no-shows/", views.suspects, name="suspects"),
    path("<slug:slug>/no-shows/<int:pk>/", views.suspect_settle, name="suspect_settle"),
]
