from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.home, name="home"),
    path("supervision/plans/", views.plans, name="plans"),
    path("supervision/plans/<int:pk>/", views.plan, name="plan"),
    path("supervision/plans/<int:pk>/draw/", views.draw_new, name="draw_new"),
    path("supervision/draws/<str:number>/", views.draw, name="draw"),
    path("supervision/inspections/new/", views.inspection_new, name="inspection_new"),
    path("supervision/inspections/<str:number>/", views.inspection, name="inspection"),
    path("supervision/inspections/<str:number>/violation/", views.violation_new, name="violation_new"),
    path("supervision/tasks/<str:number>/", views.task, name="task"),
    path("supervision/directory/", views.directory, name="directory"),
    path("supervision/act/<str:wf>/<str:key>/", views.act, name="act"),
    path("gongshi/", views.public, name="public"),
    path("gongshi/responsibilities/", views.responsibilities, name="responsibilities"),
    path("gongshi/draws/<str:number>/", views.public_draw, name="public_draw"),
    path("gongshi/draws/<str:number>/document.json", views.public_draw_document, name="public_draw_document"),
    path("my/supervision/", views.mine, name="mine"),
    path("my/supervision/repair/<int:record>/", views.repair_apply, name="repair_apply"),
    path("supervision/repairs/<str:number>/", views.repair, name="repair"),
]
