"""REST API of the pricing page's two buttons: "Reprice now" and the simulator.

`POST /api/v1/reprice-runs/ {"store": id}` queues one repricing of a store now (202 with the
job; poll `status_url`); 409 while that store is being repriced. `POST /api/v1/price-
simulations/` is the simulator: the engine's dry run over a store (nothing is written), with
the store's strategies as assigned, another strategy, or changed settings. Both call the same
services as the dashboard (`apps.pricing.simulator`).
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.catalog.models import Store
from apps.core.api import Money, OrgPrimaryKeyRelatedField, TenantViewSet, request_actor
from apps.core.api_urls import JobStartedSerializer

from .models import Strategy
from .simulator import reprice_start, simulate

# The simulator form's settings (apps.pricing.forms.SimulatorForm.OVERRIDES), bounded as the
# strategy's columns (7 digits, 3 decimals) and its range checks are.
_PCT = {"max_digits": 7, "decimal_places": 3, "required": False}


class RepriceInput(serializers.Serializer):
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.none())


class RepriceViewSet(TenantViewSet):
    """Start a repricing run of one store now (the pricing page's "Reprice now")."""

    queryset = Store.objects.none()
    serializer_class = RepriceInput
    write_role = "manager"

    @extend_schema(request=RepriceInput, responses={202: JobStartedSerializer})
    def create(self, request):
        """Queue one repricing of the store on the pricing worker: 202 with the job (poll
        `status_url`; its result holds the run's counts). 409 while the store is being
        repriced already. Prices move as the store's strategies and review policies say."""
        body = RepriceInput(data=request.data, context={"org": self.org})
        body.is_valid(raise_exception=True)
        job = reprice_start(
            org=self.org, store=body.validated_data["store"], actor=request_actor(request)
        )
        return Response(JobStartedSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SimulationInput(serializers.Serializer):
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.none())
    strategy = OrgPrimaryKeyRelatedField(
        queryset=Strategy.objects.none(),
        required=False,
        allow_null=True,
        help_text="Price every offer with this strategy; default: the strategies as assigned "
        "(or, when settings below change, the store's store-level strategy).",
    )
    kind = serializers.ChoiceField(choices=Strategy.Kind.choices, required=False)
    min_margin_pct = serializers.DecimalField(
        min_value=Decimal("-99.999"), max_value=Decimal("9999.999"), **_PCT
    )
    max_change_pct = serializers.DecimalField(
        min_value=Decimal(0), max_value=Decimal("9999.999"), **_PCT
    )
    beat_pct = serializers.DecimalField(min_value=Decimal(0), max_value=Decimal("99.999"), **_PCT)
    target_margin_pct = serializers.DecimalField(
        min_value=Decimal("-9999.999"), max_value=Decimal("99.999"), **_PCT
    )

    OVERRIDES = ("kind", "min_margin_pct", "max_change_pct", "beat_pct", "target_margin_pct")


_MARGIN = {"max_digits": 12, "decimal_places": 2, "allow_null": True}


class SimulationSampleSerializer(serializers.Serializer):
    listing = serializers.IntegerField(source="listing.pk")
    sku = serializers.CharField(source="listing.product.sku")
    title = serializers.CharField(source="listing.title")
    currency = serializers.CharField(source="listing.currency")
    old = Money(allow_null=True)
    new = Money(allow_null=True)
    floor = Money(allow_null=True)
    competitor = Money(allow_null=True, help_text="The lowest competitor counted")
    binding = serializers.CharField(help_text="What set the new price (rule, floor, ceiling…)")
    binding_label = serializers.CharField()
    reason = serializers.CharField()
    margin_old = serializers.DecimalField(**_MARGIN)
    margin_new = serializers.DecimalField(**_MARGIN)


class SimulationSerializer(serializers.Serializer):
    store = serializers.IntegerField(source="store.pk")
    strategy_name = serializers.CharField()
    offers = serializers.IntegerField()
    priced = serializers.IntegerField()
    up = serializers.IntegerField()
    down = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    at_floor = serializers.IntegerField()
    raised_to_floor = serializers.IntegerField()
    ceiling_below_floor = serializers.IntegerField()
    bad_input = serializers.IntegerField()
    bad_reasons = serializers.DictField(child=serializers.IntegerField())
    margin_before = serializers.DecimalField(**_MARGIN, help_text="Mean margin (%) today")
    margin_after = serializers.DecimalField(**_MARGIN, help_text="Mean margin (%) simulated")
    mean_change_pct = serializers.DecimalField(**_MARGIN)
    samples = SimulationSampleSerializer(many=True, help_text="The largest moves (at most 25)")


class SimulationViewSet(TenantViewSet):
    """The simulator: what repricing a store would do, computed now and written nowhere."""

    queryset = Store.objects.none()
    serializer_class = SimulationInput
    write_role = "viewer"  # a computation: nothing is written, any member may run it

    @extend_schema(request=SimulationInput, responses={200: SimulationSerializer})
    def create(self, request):
        """Dry-run the repricing engine over the store: counts of prices going up, down or
        staying, offers at or raised to the floor, mean margins before and after, and the 25
        largest moves. Settings given here change the chosen (or the store's) strategy for
        this computation only; out-of-range settings are 400 naming the field."""
        body = SimulationInput(data=request.data, context={"org": self.org})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        overrides = {k: data[k] for k in SimulationInput.OVERRIDES if data.get(k) not in (None, "")}
        result = simulate(
            org=self.org, store=data["store"], strategy=data.get("strategy"),
            overrides=overrides, actor=request_actor(request),
        )  # fmt: skip
        return Response(SimulationSerializer(result).data)
