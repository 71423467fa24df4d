from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("verify/<str:identifier>", views.verify_page, name="verify"),
    path("verify/<str:identifier>/", views.verify_page),
    path("me/licences/", views.my_licences, name="mine"),
    path("me/licences/<str:identifier>.pdf", views.my_licence_pdf, name="pdf"),
]
