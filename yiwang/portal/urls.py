from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/<str:impl_code>/", views.item_guide, name="item"),
    path("bundles/<str:code>/", views.bundle_page, name="bundle"),
]
