from django.urls import path

from . import views

app_name = "companies"
urlpatterns = [
    path("company/new/", views.company_create, name="create"),
    path("company/edit/", views.company_edit, name="edit"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("invitations/<token:token>/", views.invitation_accept, name="invitation_accept"),
]
