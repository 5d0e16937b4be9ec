"""The API's OPTIONS answers. Kept apart from `apps.core.api` because DRF imports its default
metadata class while `rest_framework.views` is still loading."""

from __future__ import annotations

from rest_framework.metadata import SimpleMetadata


class ApiMetadata(SimpleMetadata):
    """OPTIONS answers describe the write actions' input when the view can build it; a view
    whose input is not one serializer (a bulk endpoint, a custom action) still answers 200
    with its name and media types rather than an AssertionError."""

    def determine_actions(self, request, view):
        try:
            return super().determine_actions(request, view)
        except (AssertionError, TypeError):
            return {}
