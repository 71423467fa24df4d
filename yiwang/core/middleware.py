"""Chinese first: the UI is Chinese unless the user chose English with the language switch."""


class ChineseFirstMiddleware:
    """Drop the browser's Accept-Language so that LocaleMiddleware follows only the switch's cookie.

    A service-hall PC or a phone set to English still gets the Chinese portal until someone
    presses "English".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
