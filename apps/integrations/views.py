"""The refused lines of an import, as a CSV a spreadsheet opens safely."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import Http404, StreamingHttpResponse

from apps.core.csv_safe import safe_writer
from apps.core.dashboard import member_required
from apps.core.errors import NotFound

from .selectors import import_line_errors, import_run_get


class _Echo:
    def write(self, value: str) -> str:
        return value


@member_required
def import_errors_csv(request, run_id: int):
    try:
        run = import_run_get(org=request.org, run_id=run_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    writer = safe_writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(["line", "reason"])
        for error in import_line_errors(run=run):
            yield writer.writerow([error.line, error.reason])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stem = (run.filename.rsplit(".", 1)[0] or run.kind)[:80].replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{stem}-errors-{run.pk}.csv"'
    return response
