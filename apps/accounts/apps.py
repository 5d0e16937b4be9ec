from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
        from .models import ApiKey, Organization
        from .services import api_key_cache_clear

        def key_changed(sender, instance, **kwargs):
            api_key_cache_clear(instance.hashed_key)

        def org_changed(sender, instance, **kwargs):
            api_key_cache_clear()

        # A saved or deleted key (a revocation, new scopes) or organization is not served from
        # this process's key cache again (apps/accounts/services.py).
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(key_changed, ApiKey, weak=False, dispatch_uid=f"apikey-cache-{name}")
            signal.connect(org_changed, Organization, weak=False, dispatch_uid=f"org-cache-{name}")
