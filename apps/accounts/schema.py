"""OpenAPI description of API-key authentication (loaded by AccountsConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An organization API key (`cbk_…`): `Authorization: Bearer <key>`, or "
                "`Authorization: Api-Key <key>`, or an `Api-Key: <key>` header. The key's "
                "scopes (`<module>:read`, `<module>:write`) and role bound what it may do; a "
                "request outside them is 403 `insufficient-scope`."
            ),
        }
