"""The built-in channel catalogue: what every map can use without declaring it."""

from __future__ import annotations

from typing import Any

from cjmap.model import Channel


def _channel(**fields: Any) -> Channel:
    # Trusted constants, built without validation so that importing the catalogue does not build
    # the Channel model's validator in every run; every field is given (defaults computed by
    # pydantic cost an inspection of each default factory), the ones written marked as set.
    every = {"ignore": [], "name": None, "digital": True, "requires": [], **fields}
    return Channel.model_construct(_fields_set=set(fields), **every)


# requires: the customer data a brand must hold to reach someone through the channel.
BUILTIN_CHANNELS: tuple[Channel, ...] = (
    _channel(id="email", name="Email", digital=True, requires=["email"]),
    _channel(id="sms", name="SMS", digital=True, requires=["phone"]),
    _channel(id="push", name="Push notification", digital=True, requires=["app"]),
    _channel(id="in-app", name="In-app message", digital=True, requires=["app"]),
    _channel(id="web", name="Website", digital=True),
    _channel(id="app", name="Mobile app", digital=True),
    _channel(id="social", name="Social media", digital=True),
    _channel(id="ads", name="Advertising", digital=True),
    _channel(id="search", name="Search engine", digital=True),
    _channel(id="chat", name="Chat", digital=True),
    _channel(id="phone", name="Phone call", digital=False, requires=["phone"]),
    _channel(id="store", name="Store", digital=False),
    _channel(id="event", name="Event or trade fair", digital=False),
    _channel(id="mail", name="Postal mail", digital=False, requires=["address"]),
    _channel(id="word-of-mouth", name="Word of mouth", digital=False),
)
