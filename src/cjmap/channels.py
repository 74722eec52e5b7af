"""The built-in channel catalogue: what every map can use without declaring it."""

from __future__ import annotations

from cjmap.model import Channel

# requires: the customer data a brand must hold to reach someone through the channel.
BUILTIN_CHANNELS: tuple[Channel, ...] = (
    Channel(id="email", name="Email", digital=True, requires=["email"]),
    Channel(id="sms", name="SMS", digital=True, requires=["phone"]),
    Channel(id="push", name="Push notification", digital=True, requires=["app"]),
    Channel(id="in-app", name="In-app message", digital=True, requires=["app"]),
    Channel(id="web", name="Website", digital=True),
    Channel(id="app", name="Mobile app", digital=True),
    Channel(id="social", name="Social media", digital=True),
    Channel(id="ads", name="Advertising", digital=True),
    Channel(id="search", name="Search engine", digital=True),
    Channel(id="chat", name="Chat", digital=True),
    Channel(id="phone", name="Phone call", digital=False, requires=["phone"]),
    Channel(id="store", name="Store", digital=False),
    Channel(id="event", name="Event or trade fair", digital=False),
    Channel(id="mail", name="Postal mail", digital=False, requires=["address"]),
    Channel(id="word-of-mouth", name="Word of mouth", digital=False),
)
