"""B2B pages: inquiries list, one inquiry (its text, the parsed request, the quotation with
tiers and the Incoterm table per freight mode, the draft's text and checks, PDF link), a form
to create an inquiry from pasted text (managers), and the PDF download (tenant-checked)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.core.dashboard import can_write, member_required, paginate
from apps.core.errors import DomainError, NotFound

from . import quote, selectors, services
from .api import back_translation_of, pdf_response
from .models import Inquiry
from .rates import MODES
from .texts import MODE_NAMES


@member_required
@require_http_methods(["GET", "POST"])
def inquiry_list(request):
    if request.method == "POST":
        if not can_write(request):
            raise Http404
        try:
            inquiry = services.inquiry_create(
                org=request.org,
                text=(request.POST.get("text") or "")[:20001],
                buyer_name=(request.POST.get("buyer_name") or "")[:200],
                buyer_email=(request.POST.get("buyer_email") or "")[:255],
            )
        except DomainError as exc:
            flash.error(request, str(exc))
            return redirect("support:b2b_inquiries")
        flash.success(request, _("Inquiry parsed and quotation drafted."))
        return redirect("support:b2b_inquiry", inquiry.pk)
    status = (request.GET.get("status") or "")[:8]
    search = (request.GET.get("q") or "")[:100]
    page = paginate(request, selectors.inquiry_list(org=request.org, status=status, search=search))
    return render(
        request,
        "support/b2b/inquiries.html",
        {
            "page": page,
            "status": status,
            "search": search,
            "statuses": Inquiry.Status.choices,
            "can_write": can_write(request),
        },
    )


@member_required
def inquiry_detail(request, inquiry_id: int):
    try:
        inquiry = selectors.inquiry_get(org=request.org, inquiry_id=inquiry_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    quotation = selectors.quotation_latest(org=request.org, inquiry=inquiry)
    draft = selectors.quotation_draft(org=request.org, quotation=quotation) if quotation else None
    computation = quotation.computation if quotation else {}
    tier = quote.requested_tier(computation) if quotation else None
    mode_names = MODE_NAMES["zh" if request.LANGUAGE_CODE.startswith("zh") else "en"]
    shown = [m for m in MODES if tier is not None and m in tier["modes"]]
    modes = [(mode_names[m], tier["modes"][m]) for m in shown]
    back = back_translation_of(draft)
    product = f"{inquiry.product.sku} ({inquiry.product_match})" if inquiry.product else "—"
    where = (inquiry.destination_port, inquiry.destination_country)
    price = inquiry.target_price
    fields = [
        (_("Product"), product),
        (_("Quantity"), inquiry.quantity or "—"),
        (_("Destination"), " / ".join(x for x in where if x) or "—"),
        (_("Incoterm"), inquiry.incoterm or "—"),
        (_("Target price"), f"{price.normalize()} {inquiry.target_currency}" if price else "—"),
        (_("Deadline"), inquiry.deadline or "—"),
        (_("Customisation"), inquiry.customisation or "—"),
    ]
    return render(
        request,
        "support/b2b/inquiry.html",
        {
            "inquiry": inquiry,
            "quotation": quotation,
            "computation": computation,
            "tier": tier,
            "modes": modes,
            "draft": draft,
            "back_translation": back,
            "fields": fields,
        },
    )


@member_required
def quotation_pdf(request, quotation_id: int):
    try:
        quotation = selectors.quotation_get(org=request.org, quotation_id=quotation_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    try:
        return pdf_response(quotation, back_translation=request.GET.get("back_translation") == "1")
    except DomainError as exc:  # no CJK font installed: say so instead of a 500
        flash.error(request, str(exc))
        return redirect("support:b2b_inquiry", quotation.inquiry_id)


@member_required
@require_http_methods(["GET", "POST"])
def terms_edit(request):
    """B2B terms (margin breaks, MOQ, lead time, default Incoterm, freight lanes) for owners
    and managers; anyone else, staff or not, gets 403."""
    from django.core.exceptions import PermissionDenied

    from .terms import TermsForm, terms_update

    if not can_write(request):
        raise PermissionDenied
    terms = services.terms_get(org=request.org)
    if request.method == "POST":
        form = TermsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                terms_update(org=request.org, data=data, margins=data["margins"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                flash.success(request, _("The B2B terms were saved; new quotations use them."))
                return redirect("support:b2b_terms")
    else:
        form = TermsForm(
            initial=TermsForm.initial_for(terms, services.margins_get(org=request.org))
        )
    return render(request, "support/b2b/terms.html", {"form": form})
