"""Shared by the measure tests: a small map, logs written to files, and an independent pure-Python
computation of the aggregate (fnmatch and sorting, no SQL) to hold the engines against."""

from __future__ import annotations

import bisect
import csv
import fnmatch
import random
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from cjmap.analysis.measure.sql import BUCKET_BOUNDS
from cjmap.journey import Journey
from cjmap.model import JourneyMap

SHOP_MAP = """\
cjmap: 1
id: shop
title: Shop
flow: explicit
personas:
  - {id: fresh, name: Fresh, match: {segment: new}}
  - {id: back, name: Back, match: {segment: [returning, "vip*"]}}
outcomes:
  - {id: bought, kind: success, match: purchase}
  - {id: gone, kind: lost}
stages:
  - id: s
    touchpoints:
      - id: home
        match: {event: page_view, where: {page: "/"}}
        next: [pricing]
      - id: pricing
        match: [{event: page_view, where: {page: "/pricing*"}}, {event: "price_?heck"}]
        kpis:
          - {name: Pricing to purchase, unit: "%", target: 30, conversion: {from: pricing, to: bought}}
        decision:
          question: Buy?
          branches:
            - {when: Likes it, to: cart, probability: 0.5}
            - {when: Not now, to: home, probability: 0.5}
      - id: cart
        match: add_to_cart
        next: [bought, gone]
"""

EVENTS = ("page_view", "page_view", "add_to_cart", "purchase", "price_check", "price_xheck", "scroll", "page%view")
PAGES = ("/", "/pricing", "/pricing/team", "/about", "/_x", "")
SEGMENTS = ("new", "returning", "vip-gold", "other", "")


def shop_journey(text: str = SHOP_MAP) -> Journey:
    return Journey.build(JourneyMap.model_validate(yaml.safe_load(text)))


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_log(seed: int, events: int = 400, customers: int = 25, span: int = 4000) -> list[dict[str, Any]]:
    """Small times and few customers, so ties in time and repeats of a step are common."""
    rng = random.Random(seed)
    base = 1_780_000_000
    return [
        {
            "customer": f"u{rng.randrange(customers)}",
            "time": base + rng.choice((rng.randrange(span), rng.randrange(span) * 37, rng.randrange(40))),
            "event": rng.choice(EVENTS),
            "page": rng.choice(PAGES),
            "segment": rng.choice(SEGMENTS),
        }
        for _ in range(events)
    ]


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("customer", "time", "event", "page", "segment"))
        for row in rows:
            writer.writerow((row["customer"], iso(row["time"]), row["event"], row["page"], row["segment"]))
    return path


def _globs(value: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, p.replace("[", "[[]")) for p in patterns)


def reference_aggregate(
    journey: Journey, rows: list[dict[str, Any]], idle: float
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """(persona, from, to, bucket) -> (events, customers, reached, ended, recent, first, last, base, done)."""
    steps = []
    for placed in journey.ordered():
        if placed.touchpoint.match:
            steps.append((placed.touchpoint.id, placed.touchpoint.match))
    for outcome, _ in journey.outcomes.values():
        if outcome.match:
            steps.append((outcome.id, outcome.match))
    personas = [(p.id, p.match) for p, _ in journey.personas.values() if p.match]

    def step_of(row: dict[str, Any]) -> tuple[str, int] | None:
        for rank, (step_id, matches) in enumerate(steps, start=1):
            for m in matches:
                if _globs(row["event"], m.event) and all(_globs(str(row.get(k, "")), v) for k, v in m.where.items()):
                    return step_id, rank
        return None

    def persona_rank(row: dict[str, Any]) -> int | None:
        for rank, (_pid, where) in enumerate(personas, start=1):
            if all(_globs(str(row.get(k, "")), v) for k, v in where.items()):
                return rank
        return None

    window_end = max(row["time"] for row in rows)
    by_customer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_customer[row["customer"]].append(row)
    out: dict[tuple[Any, ...], list[int]] = {}

    def add(key: tuple[Any, ...], t: int, **counts: int) -> None:
        entry = out.setdefault(key, [0, 0, 0, 0, 0, t, t, 0, 0])
        for index, name in enumerate(("events", "customers", "reached", "ended", "recent")):
            entry[index] += counts.get(name, 0)
        entry[5], entry[6] = min(entry[5], t), max(entry[6], t)
        entry[7] += counts.get("base", 0)
        entry[8] += counts.get("done", 0)

    for events in by_customer.values():
        ranks = [r for r in (persona_rank(e) for e in events) if r is not None]
        persona = personas[min(ranks) - 1][0] if ranks else None
        tagged = [(e["time"], step_of(e)) for e in events]
        matched = sorted((t, s[1], s[0]) for t, s in tagged if s is not None)
        first_a = min((t for t, _r, s in matched if s == "pricing"), default=None)
        last_b = max((t for t, _r, s in matched if s == "bought"), default=None)
        # One row per customer: its unmatched events, whether it matched nothing, its KPI conversion.
        times = [t for t, _ in tagged]
        key = (persona, None, None, None)
        add(
            key,
            min(times),
            events=sum(1 for _, s in tagged if s is None),
            customers=int(not matched),
            base=int(first_a is not None),
            done=int(first_a is not None and last_b is not None and last_b >= first_a),
        )
        add(key, max(times))
        seen: set[str] = set()
        for i, (t, _rank, step) in enumerate(matched):
            prev = matched[i - 1] if i else None
            bucket = None if prev is None else bisect.bisect_right(BUCKET_BOUNDS, t - prev[0])
            last = i == len(matched) - 1
            add(
                (persona, prev[2] if prev else None, step, bucket),
                t,
                events=1,
                customers=int(prev is None),
                reached=int(step not in seen),
                ended=int(last),
                recent=int(last and window_end - t < idle),
            )
            seen.add(step)
    return {key: tuple(value) for key, value in out.items()}


def engine_aggregate(records: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    return {
        (r["persona"], r["from_step"], r["to_step"], None if r["bucket"] is None else int(r["bucket"])): (
            int(r["events"]),
            int(r["customers"]),
            int(r["reached"]),
            int(r["ended"]),
            int(r["recent"]),
            int(float(r["first_seen"])),
            int(float(r["last_seen"])),
            int(r["conv1_base"]),
            int(r["conv1_done"]),
        )
        for r in records
    }
