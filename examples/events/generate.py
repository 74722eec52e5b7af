"""Write a seeded, realistic event log for examples/saas-onboarding-as-is.yaml.

    python examples/events/generate.py cjmap-out/taskly-events.csv [--customers 40000] [--seed 7]

The log drifts from what the map declares (fewer teams keep going after the day-3 email, fewer
pay when the trial ends), has a few paths the map does not draw (freelancers skip the invite
step; some customers go back to pricing from checkout or from the tips email), background events
that are no step at all, and customers who started late and are still in progress at the end.
Columns: customer, time (ISO 8601 UTC), event, page, campaign, board, reason, plan.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

START = datetime(2026, 9, 1, tzinfo=timezone.utc)
DAYS = 91  # September to November 2026
PLANS = (("team", 0.5), ("freelancer", 0.35), ("returning", 0.15))
NOISE = ("session_start", "page_view", "page_view", "page_view", "feature_used", "help_opened")
PAGES = ("/", "/features", "/docs/getting-started", "/blog", "/about", "/integrations")

Row = tuple[str, datetime, str, str, str, str, str, str]


def _plan(rng: random.Random) -> str:
    x = rng.random()
    for plan, share in PLANS:
        if x < share:
            return plan
        x -= share
    return PLANS[-1][0]


def customer_events(rng: random.Random, customer: str) -> list[Row]:
    plan = _plan(rng)
    t = START + timedelta(seconds=rng.uniform(0, DAYS * 86400))
    rows: list[Row] = []

    def emit(event: str, page: str = "", campaign: str = "", board: str = "", reason: str = "") -> None:
        rows.append((customer, t, event, page, campaign, board, reason, plan))

    def wait(mean_seconds: float) -> None:
        nonlocal t
        t += timedelta(seconds=max(1.0, rng.expovariate(1 / mean_seconds)))

    def noise(count: int) -> None:
        nonlocal t
        for _ in range(count):
            event = rng.choice(NOISE)
            emit(event, rng.choice(PAGES) if event == "page_view" else "")
            t += timedelta(seconds=rng.uniform(5, 600))

    noise(rng.randint(0, 2))
    if rng.random() < 0.75:
        emit("page_view", page=rng.choice(("/blog/trello-alternatives", "/blog/best-task-tools-2026")))
        if rng.random() < 0.15:
            return rows  # read the article and left
        wait(300)
    for _ in range(1 if rng.random() < 0.8 else 2):  # some look at pricing twice
        emit("page_view", page=rng.choice(("/pricing", "/pricing?plan=team")))
        wait(90)
    if rng.random() < (0.35 if plan == "returning" else 0.45):
        return rows  # left at the pricing page
    emit("sign_up")
    noise(rng.randint(1, 4))
    wait(600)
    if plan != "freelancer":  # freelancers never invite anyone: a path the map does not draw
        emit("invite_sent")
        wait(900)
    emit("board_opened", board="empty")
    noise(rng.randint(2, 8))
    t += timedelta(days=3, seconds=rng.uniform(0, 7200))
    emit("email_open", campaign="day-3-tips")
    wait(3600)
    x = rng.random()
    keep_going = {"team": 0.5, "freelancer": 0.38, "returning": 0.6}[plan]  # declared: 0.55
    if x < 0.04:
        emit("page_view", page="/pricing")  # back to pricing from the tips email: off the map
        return rows
    if x < 0.04 + keep_going:
        noise(rng.randint(3, 12))
        t = t + timedelta(days=rng.uniform(7, 10))
        emit("email_open", campaign="trial-ending-3-days")
        wait(86400)
        if rng.random() < {"team": 0.33, "freelancer": 0.22, "returning": 0.45}[plan]:  # declared: 0.4
            emit("checkout_started")
            wait(240)
            if rng.random() < 0.06:
                emit("page_view", page="/pricing")  # second thoughts: off the map
                return rows
            emit("subscription_started")
        else:
            t += timedelta(days=3)
            emit("trial_expired")
    elif x < 0.04 + keep_going + 0.13:
        wait(5 * 86400)
        emit("account_deleted", reason="competitor: " + rng.choice(("trello", "asana", "notion")))
    else:
        t = t + timedelta(days=rng.uniform(10, 14))
        emit("trial_expired")
    return rows


def generate(customers: int, seed: int) -> list[Row]:
    rng = random.Random(seed)
    end = START + timedelta(days=DAYS)
    rows = [row for n in range(customers) for row in customer_events(rng, f"c{rng.getrandbits(48):012x}")]
    rows = [row for row in rows if row[1] < end]  # the export stops at the window's end
    rows.sort(key=lambda row: (row[1], row[0]))
    return rows


def write(rows: list[Row], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("customer", "time", "event", "page", "campaign", "board", "reason", "plan"))
    for customer, t, *rest in rows:
        writer.writerow((customer, t.strftime("%Y-%m-%dT%H:%M:%SZ"), *rest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="CSV file to write (.csv.gz for gzip)")
    parser.add_argument("--customers", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = generate(args.customers, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if args.output.name.endswith(".gz") else open
    with opener(args.output, "wt", encoding="utf-8", newline="") as out:  # type: ignore[operator]
        write(rows, out)
    print(f"{args.output}: {len(rows)} events of {args.customers} customers")


if __name__ == "__main__":
    main()
