"""Fault injection for the sandbox (STUB: interface only, to be implemented).

Contract used by app.py:
    injector = FaultInjector.from_spec(spec_string_or_None, seed=...)
    app = FaultMiddleware(inner_asgi_app, injector)      # wraps POST /me only
    routes = fault_admin_routes(injector)                # GET/POST/DELETE /_sandbox/faults
"""
