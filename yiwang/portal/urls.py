from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("progress/", views.progress, name="progress"),
    path("elder/", views.elder_mode, name="elder"),
    path("items/<str:impl_code>/", views.item_guide, name="item"),
    path("items/<str:impl_code>/guide.pdf", views.item_guide_pdf, name="item_pdf"),
    path("items/<str:impl_code>/forms/<int:pk>/", views.item_form, name="item_form"),
    path("bundles/<str:code>/", views.bundle_page, name="bundle"),
    path("bundles/<str:code>/checklist.pdf", views.bundle_checklist_pdf, name="bundle_pdf"),
]
