"""Public reads answered from this process's memory while the catalogue is unchanged.

A ranking costs about 14 ms of CPU to compute and the same bytes come out until a factor, a catalogue entry or a
stored footprint changes (``emissions.catalogue_version``). So the JSON of a successful GET is kept per process,
keyed by its absolute URL (host, path and query: links in the body are absolute) and media type, for as long as
the catalogue version stays the same. Authentication, permissions and throttling still run on every request:
only the handler is skipped. Only views whose answer is the same for every client use this.
"""

from __future__ import annotations

from django.http import HttpResponse

from emissions.catalogue_version import CatalogueMemo

# At most about 32 MB a process: the largest answers, 50 footprints a page, are about 62 kB (a ranking 22 kB).
RESPONSES = CatalogueMemo(maxsize=512)


class CatalogueCachedMixin:
    """For a public GET view: serve its JSON from ``RESPONSES``, or compute it (``answer``), render and keep it."""

    def get(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json":  # the browsable API renders per user: not kept
            return self.answer(request, *args, **kwargs)
        key = (request.accepted_media_type, request.build_absolute_uri())
        kept, version = RESPONSES.lookup(key)
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        response = self.answer(request, *args, **kwargs)
        if response.status_code == 200:
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            response.render()
            RESPONSES.put(key, (response.content, response["Content-Type"]), version=version)
        return response

    def answer(self, request, *args, **kwargs):
        """The answer to keep: the generic view's own GET unless the view says otherwise."""
        return super().get(request, *args, **kwargs)
