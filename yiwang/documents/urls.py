from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<str:number>/documents/<int:pk>.pdf", views.document_file, name="file"),
    path("progress/receipt/<str:token>.pdf", views.receipt_file, name="receipt"),
    path("documents/verify/", views.verify, name="verify_form"),
    path("documents/verify/<str:code>/", views.verify, name="verify"),
]
