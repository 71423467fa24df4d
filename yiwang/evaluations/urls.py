from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("rate/<str:token>/", views.rate, name="rate"),
]
