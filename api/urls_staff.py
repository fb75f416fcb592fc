from django.urls import path

from . import views

urlpatterns = [
    path("", views.tokens, name="list"),
    path("<int:pk>/", views.token_detail, name="detail"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
