from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("rate/window/<str:code>/", views.window_pad, name="window_pad"),
    path("rate/<str:token>/", views.rate, name="rate"),
    path("rate/<str:token>/qr.svg", views.rate_qr, name="rate_qr"),
    path("me/evaluations/", views.my_evaluations, name="mine"),
    path("evaluations/rectifications/", views.rectifications, name="rectifications"),
    path("evaluations/rectifications/<int:pk>/", views.rectification, name="rectification"),
]
