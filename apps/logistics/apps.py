from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "apps.logistics"
    label = "logistics"

    def ready(self) -> None:
        from apps.orders.inputs import stock_value_source_register
        from apps.pricing.inputs import stock_risk_source_register

        from . import drafts  # noqa: F401  (registers the restock and delay-message kinds)
        from .selectors import stock_risk_frame, stock_value_series

        stock_value_source_register(stock_value_series)  # FX exposure values stock on hand
        stock_risk_source_register(stock_risk_frame)  # pricing's low-cover rule
