"""Social REST API, one module per sub-domain; routes in `social.api.urls`. Thin: parse, call one selector or
service, serialize. Refused rules (`common.errors.ServiceError`) become JSON 4xx through `common.api`."""
