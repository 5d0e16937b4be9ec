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


# Webhooks page ----------------------------------------------------------------------------------


@member_required
def webhooks_page(request):
    """Subscriptions (managers create, enable/disable, rotate, delete; the secret is shown
    once), the recent deliveries with their response codes, and redelivery."""
    from django.contrib import messages
    from django.shortcuts import redirect, render
    from django.utils.translation import gettext as _

    from apps.core.dashboard import can_write
    from apps.core.errors import DomainError
    from apps.core.events import EVENTS

    from . import webhooks
    from .selectors import webhook_delivery_list, webhook_subscription_list

    manage = can_write(request)
    shown_secret = None
    if request.method == "POST":
        if not manage:
            messages.error(request, _("Only managers and owners can manage webhooks."))
            return redirect("integrations:webhooks")
        action = request.POST.get("action", "")
        try:
            target = int(request.POST.get("id") or 0)
            if action == "create":
                sub = webhooks.webhook_subscription_create(
                    org=request.org,
                    url=request.POST.get("url", "").strip()[:500],
                    events=request.POST.getlist("events"),
                    description=request.POST.get("description", "").strip(),
                    actor=request.user,
                )
                shown_secret = sub.secret
                messages.success(request, _("The webhook was created."))
            elif action == "rotate":
                shown_secret = webhooks.webhook_secret_rotate(
                    org=request.org, subscription_id=target
                ).secret
                messages.success(
                    request, _("A new secret was made; the old one signs for 24 hours.")
                )
            elif action in ("enable", "disable"):
                webhooks.webhook_subscription_update(
                    org=request.org, subscription_id=target, is_active=action == "enable"
                )
            elif action == "delete":
                webhooks.webhook_subscription_delete(org=request.org, subscription_id=target)
                messages.success(request, _("The webhook was deleted."))
            elif action == "redeliver":
                webhooks.webhook_redeliver(org=request.org, delivery_id=target)
                messages.success(request, _("The event will be delivered again."))
        except DomainError as exc:
            messages.error(request, exc.message)
        except ValueError:
            messages.error(request, _("Invalid request."))
        if shown_secret is None:
            return redirect("integrations:webhooks")
    return render(
        request,
        "integrations/webhooks.html",
        {
            "subscriptions": webhook_subscription_list(org=request.org),
            "deliveries": webhook_delivery_list(org=request.org),
            "events": sorted(EVENTS),
            "can_manage": manage,
            "shown_secret": shown_secret,
        },
    )
