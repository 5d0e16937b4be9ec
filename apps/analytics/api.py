"""REST API of analytics: profit figures of any slice (summary, table by SKU/store/marketplace/
day, series, decomposition, missing costs), a refresh, traffic import, and candidate products
with their opportunity scores. The organization always comes from the key; another
organization's store, SKU or candidate is a 404."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Marketplace, Product, Store
from apps.core.api import TenantViewSet
from apps.core.bounds import IdField
from apps.core.errors import ValidationFailed

from .models import Candidate, ProfitFact
from .profit import (
    GROUPS,
    Slice,
    decomposition_get,
    missing_costs,
    profit_series,
    profit_summary,
    profit_table,
)
from .selection import WEIGHTS, candidate_scores, weights_from

MAX_ROWS = 10_000
MAX_DAYS = 3660
ANY = inline_serializer("AnalyticsObject", fields={})


class SliceQuery(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day (default: 29 days ago)")
    end = serializers.DateField(required=False, help_text="Last day (default: today)")
    store = IdField(required=False)
    marketplace = IdField(required=False)
    sku = IdField(required=False, help_text="Product id")
    group = serializers.ChoiceField(choices=sorted(GROUPS), required=False, default="sku")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ROWS, default=1000)

    def validate(self, attrs):
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end - timedelta(days=29)
        if start > end or (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"start": "start must be on or before end, at most 3660 days apart"}
            )
        attrs["start"], attrs["end"] = start, end
        return attrs


class DecompositionQuery(SliceQuery):
    before_start = serializers.DateField(required=False)
    before_end = serializers.DateField(required=False)


def _slice(view, serializer_class=SliceQuery) -> tuple[Slice, dict]:
    query = serializer_class(data=view.request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    org = view.org
    if data.get("store") and not Store.objects.for_org(org).filter(pk=data["store"]).exists():
        raise Http404
    if data.get("sku") and not Product.objects.for_org(org).filter(pk=data["sku"]).exists():
        raise Http404
    if data.get("marketplace") and not Marketplace.objects.filter(pk=data["marketplace"]).exists():
        raise Http404
    s = Slice(
        data["start"], data["end"], data.get("store"), data.get("marketplace"), data.get("sku")
    )
    return s, data


def _jsonable(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        if hasattr(v, "isoformat"):
            v = v.isoformat()
        elif v is not None and not isinstance(v, (int, str, bool, float, list, dict)):
            v = str(v)
        out[k.replace("__", "_")] = v
    return out


class ProfitViewSet(TenantViewSet):
    """Profit figures from the read model (refreshed in the background; `refresh` to force)."""

    queryset = ProfitFact.objects.all()
    serializer_class = SliceQuery

    @extend_schema(parameters=[SliceQuery], responses={200: ANY})
    @action(detail=False, methods=["get"])
    def summary(self, request):
        s, _data = _slice(self)
        row = profit_summary(org=self.org, s=s)
        row["missing_costs"] = [str(m) for m in missing_costs(org=self.org, s=s)]
        return Response(_jsonable(row))

    @extend_schema(parameters=[SliceQuery], responses={200: ANY})
    @action(detail=False, methods=["get"])
    def table(self, request):
        s, data = _slice(self)
        rows = profit_table(org=self.org, s=s, group=data["group"], limit=data["limit"])
        return Response(
            {
                "group": data["group"],
                "currency": self.org.default_currency,
                "results": [_jsonable(r) for r in rows],
            }
        )

    @extend_schema(parameters=[SliceQuery], responses={200: ANY})
    @action(detail=False, methods=["get"])
    def series(self, request):
        s, _data = _slice(self)
        return Response(
            {
                "currency": self.org.default_currency,
                "results": [_jsonable(r) for r in profit_series(org=self.org, s=s)],
            }
        )

    @extend_schema(parameters=[DecompositionQuery], responses={200: ANY})
    @action(detail=False, methods=["get"])
    def decomposition(self, request):
        s, data = _slice(self, DecompositionQuery)
        before = s.previous()
        if data.get("before_start") and data.get("before_end"):
            if (
                data["before_start"] > data["before_end"]
                or (data["before_end"] - data["before_start"]).days >= MAX_DAYS
            ):
                raise ValidationFailed(
                    "before_start must be on or before before_end.", field="before_start"
                )
            before = Slice(
                data["before_start"], data["before_end"], s.store_id, s.marketplace_id, s.product_id
            )
        w = decomposition_get(org=self.org, before=before, after=s)
        return Response(
            {
                "currency": w["currency"],
                "before": str(w["before"]),
                "after": str(w["after"]),
                "change": str(w["change"]),
                "traffic_known": w["traffic_known"],
                "steps": [
                    {"key": st["key"], "label": str(st["label"]), "value": str(st["value"])}
                    for st in w["steps"]
                ],
                "exact_steps": [{"key": k, "value": str(v)} for k, v in w["exact_steps"]],
                "before_period": [before.start.isoformat(), before.end.isoformat()],
                "after_period": [s.start.isoformat(), s.end.isoformat()],
            }
        )

    @extend_schema(request=None, responses={202: ANY})
    @action(detail=False, methods=["post"])
    def refresh(self, request):
        from .tasks import profit_refresh_task

        profit_refresh_task.delay(self.org.pk)
        return Response({"queued": True}, status=202)


class TrafficRowIn(serializers.Serializer):
    child_asin = serializers.CharField(max_length=20, required=False, allow_blank=True)
    sku = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sessions = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    page_views = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)


class TrafficImportIn(serializers.Serializer):
    store = IdField()
    start = serializers.DateField()
    end = serializers.DateField()
    rows = serializers.ListField(child=TrafficRowIn(), max_length=MAX_ROWS, allow_empty=False)


class ImportOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = inline_serializer(
        "AnalyticsLineError",
        many=True,
        fields={"line": serializers.IntegerField(), "reason": serializers.CharField()},
    )


class TrafficViewSet(TenantViewSet):
    """Sessions and page views (a business report's rows) for a store and date range."""

    queryset = ProfitFact.objects.all()
    serializer_class = TrafficImportIn

    @extend_schema(request=TrafficImportIn, responses={200: ImportOut})
    @action(detail=False, methods=["post"], url_path="import")
    def import_rows(self, request):
        from .services import traffic_import

        body = TrafficImportIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        store = Store.objects.for_org(self.org).filter(pk=data["store"]).first()
        if store is None:
            raise Http404
        result = traffic_import(
            org=self.org,
            store=store,
            start=data["start"],
            end=data["end"],
            records=[dict(r) for r in data["rows"]],
        )
        return Response(result.as_dict())


class CandidateRowIn(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    marketplace = serializers.CharField(max_length=32, required=False, allow_blank=True)
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, required=False
    )
    cost_currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    monthly_sales = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    reviews = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=0, max_value=5, required=False
    )
    sellers = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    trend_pct = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=-1000, max_value=100000, required=False
    )
    weight_g = serializers.DecimalField(
        max_digits=10, decimal_places=1, min_value=0, required=False
    )
    estimated = serializers.ListField(
        child=serializers.CharField(max_length=32), max_length=20, required=False
    )


class CandidateImportIn(serializers.Serializer):
    source = serializers.CharField(max_length=200)
    rows = serializers.ListField(child=CandidateRowIn(), max_length=MAX_ROWS, allow_empty=False)


class WeightsQuery(serializers.Serializer):
    w_demand = serializers.IntegerField(min_value=0, max_value=100, required=False)
    w_competition = serializers.IntegerField(min_value=0, max_value=100, required=False)
    w_margin = serializers.IntegerField(min_value=0, max_value=100, required=False)
    w_trend = serializers.IntegerField(min_value=0, max_value=100, required=False)


def _weights(request):
    query = WeightsQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return weights_from({k: v for k, v in query.validated_data.items()})


def _candidate_json(row: dict) -> dict:
    out = _jsonable({k: v for k, v in row.items() if k != "scores"})
    out["scores"] = {
        k: {"score": v["score"], "missing": v["missing"], "why": str(v["why"])}
        for k, v in row["scores"].items()
    }
    return out


class CandidateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Candidate products with their opportunity score (weights `w_demand`, `w_competition`,
    `w_margin`, `w_trend`, 0–100, normalised; defaults 30/20/35/15)."""

    queryset = Candidate.objects.all()
    serializer_class = CandidateRowIn

    @extend_schema(parameters=[WeightsQuery], responses={200: ANY})
    def list(self, request, *args, **kwargs):
        rows = candidate_scores(org=self.org, weights=_weights(request))
        return Response(
            {
                "weights": {k: str(v) for k, v in WEIGHTS.items()},
                "results": [_candidate_json(r) for r in rows],
            }
        )

    @extend_schema(parameters=[WeightsQuery], responses={200: ANY})
    def retrieve(self, request, *args, **kwargs):
        candidate = self.get_object()
        rows = candidate_scores(org=self.org, weights=_weights(request), candidate_id=candidate.pk)
        return Response(_candidate_json(rows[0]))

    @extend_schema(request=CandidateImportIn, responses={200: ImportOut})
    @action(detail=False, methods=["post"], url_path="import")
    def import_rows(self, request):
        from .services import candidates_import

        body = CandidateImportIn(data=request.data)
        body.is_valid(raise_exception=True)
        rows = []
        for r in body.validated_data["rows"]:
            r = dict(r)
            r["estimated"] = ", ".join(r.get("estimated") or [])
            rows.append(r)
        result = candidates_import(org=self.org, source=body.validated_data["source"], records=rows)
        return Response(result.as_dict())
