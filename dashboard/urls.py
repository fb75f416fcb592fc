from django.urls import path

from . import views, views_cockpit, views_emails, views_exports, views_report

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("missions/new/", views.mission_create, name="mission_create"),
    path("operators/duplicates/", views.operator_duplicates, name="operator_duplicates"),
    path("missions/<slug:slug>/", views.mission_detail, name="mission"),
    path("missions/<slug:slug>/edit/", views.mission_edit, name="mission_edit"),
    path("missions/<slug:slug>/status/", views.mission_transition, name="mission_transition"),
    path("missions/<slug:slug>/cancel/", views.mission_cancel, name="mission_cancel"),
    path("missions/<slug:slug>/programme/", views.programme_add, name="programme_add"),
    path("missions/<slug:slug>/programme/<int:pk>/", views.programme_edit, name="programme_edit"),
    path(
        "missions/<slug:slug>/programme/<int:pk>/delete/",
        views.programme_delete,
        name="programme_delete",
    ),
    path("missions/<slug:slug>/sessions/", views.sessions, name="sessions"),
    path("missions/<slug:slug>/sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path(
        "missions/<slug:slug>/sessions/<int:pk>/delete/",
        views.session_delete,
        name="session_delete",
    ),
    path("missions/<slug:slug>/schedule/", views.schedule, name="schedule"),
    path("missions/<slug:slug>/emails/", views_emails.mission_emails, name="mission_emails"),
    path("emails/<int:pk>/retry/", views_emails.email_retry, name="email_retry"),
    path(
        "missions/<slug:slug>/schedule/<int:pk>/",
        views.schedule_proposal,
        name="schedule_proposal",
    ),
    path(
        "missions/<slug:slug>/schedule/<int:pk>/publish/",
        views.schedule_publish,
        name="schedule_publish",
    ),
    path(
        "missions/<slug:slug>/schedule/<int:pk>/discard/",
        views.schedule_discard,
        name="schedule_discard",
    ),
    # The mission cockpit (dashboard/views_cockpit.py).
    path("missions/<slug:slug>/cockpit/", views_cockpit.cockpit, name="cockpit"),
    path(
        "missions/<slug:slug>/cockpit/meetings/<int:pk>/",
        views_cockpit.cockpit_meeting,
        name="cockpit_meeting",
    ),
    path("missions/<slug:slug>/applications/", views.applications, name="applications"),
    path(
        "missions/<slug:slug>/applications/<int:pk>/",
        views.application_detail,
        name="application",
    ),
    path("missions/<slug:slug>/operators/", views.registrations, name="registrations"),
    path("missions/<slug:slug>/operators/import/", views.operator_import, name="operator_import"),
    # Exports and print-outs (dashboard/views_exports.py).
    path("missions/<slug:slug>/exports/", views_exports.exports_page, name="exports"),
    path(
        "missions/<slug:slug>/exports/<slug:kind>.csv",
        views_exports.export_csv,
        name="export_csv",
    ),
    path(
        "missions/<slug:slug>/exports/<slug:kind>.xlsx",
        views_exports.export_xlsx,
        name="export_xlsx",
    ),
    path(
        "missions/<slug:slug>/print/agendas/<slug:side>.pdf",
        views_exports.print_agendas,
        name="print_agendas",
    ),
    path(
        "missions/<slug:slug>/print/agendas/<slug:side>/<int:pk>.pdf",
        views_exports.print_agenda,
        name="print_agenda",
    ),
    path("missions/<slug:slug>/print/plans.pdf", views_exports.print_plans, name="print_plans"),
    path(
        "missions/<slug:slug>/print/plans/<int:pk>.pdf",
        views_exports.print_plan,
        name="print_plan",
    ),
    path("missions/<slug:slug>/print/badges.pdf", views_exports.print_badges, name="print_badges"),
    # The mission report for the agency's management (dashboard/views_report.py).
    path("missions/<slug:slug>/report/", views_report.report, name="report"),
    path("missions/<slug:slug>/report.pdf", views_report.report_pdf, name="report_pdf"),
]
