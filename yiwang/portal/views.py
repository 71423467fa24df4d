from django.shortcuts import render

from yiwang.catalogue import selectors


def home(request):
    q = request.GET.get("q", "")
    items = selectors.implementations_search(q=q)[:100]
    bundles = selectors.bundles_search(q=q)
    return render(request, "portal/home.html", {"q": q, "items": items, "bundles": bundles})


def item_guide(request, impl_code):
    impl = selectors.implementation_get(impl_code)
    return render(request, "portal/item.html", {"impl": impl, "item": impl.item})


def bundle_page(request, code):
    view = selectors.bundle_view(selectors.bundle_get(code))
    return render(request, "portal/bundle.html", {"view": view, "bundle": view.bundle})
