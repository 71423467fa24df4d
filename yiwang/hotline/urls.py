from django.urls import path

from . import open311, views

app_name = "hotline"

urlpatterns = [
    path("hotline/", views.console, name="console"),
    path("hotline/suggest/", views.kb_suggest, name="suggest"),
    path("hotline/answer/", views.answer_now, name="answer"),
    path("hotline/enterprises/", views.enterprise_suggest, name="enterprises"),
    path("hotline/inbox/", views.inbox, name="inbox"),
    path("hotline/supervise/", views.supervise, name="supervise"),
    path("hotline/bulletin/", views.bulletin, name="bulletin"),
    path("hotline/bulletin/editions/<int:pk>.<str:fmt>", views.bulletin_edition, name="bulletin_edition"),
    path("hotline/r/<str:number>/", views.detail, name="detail"),
    path("hotline/a/<int:pk>/", views.attachment, name="attachment"),
    path("12345/", views.public, name="public"),
    path("12345/demand/", views.demand, name="demand"),
    path("12345/<str:number>/", views.track, name="track"),
    # Open311 GeoReport v2 where clients expect it (also under /api/open311/v2/).
    path("open311/v2/discovery.<str:fmt>", open311.view_discovery),
    path("open311/v2/services.<str:fmt>", open311.view_services),
    path("open311/v2/services/<str:code>.<str:fmt>", open311.view_definition),
    path("open311/v2/requests.<str:fmt>", open311.view_requests),
    path("open311/v2/requests/<str:number>.<str:fmt>", open311.view_request),
    path("open311/v2/tokens/<str:token>.<str:fmt>", open311.view_token),
]
