from django.urls import path

from . import views_portal as views

app_name = "portal"
urlpatterns = [
    path("portal/", views.portal, name="home"),
    path("portal/missions/<slug:slug>/apply/", views.application_create, name="apply"),
    path("portal/applications/<int:pk>/", views.application_edit, name="application"),
    path("portal/applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("operator/", views.operator_home, name="operator_home"),
]
