"""Webhook delivery for the sandbox (STUB: interface only, to be implemented).

Contract used by the resolvers and app.py:
    dispatcher = WebhookDispatcher(subscriptions=callable(event) -> list[url], secret=callable() -> str)
    await dispatcher.emit("interview.finish", snapshot_dict)  # schedules signed POSTs, returns at once
    await dispatcher.drain(timeout=5.0)                       # wait until every scheduled delivery ended
    dispatcher.deliveries                                     # log of attempts (url, event, status, ...)
    await dispatcher.aclose()
"""
