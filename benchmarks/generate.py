"""Generate realistic journey maps of any size, for benchmarks (deterministic for a given size)."""

from __future__ import annotations

import random
import sys

PERSONAS = ("anna", "piotr", "maya", "tom", "rita")
CHANNELS = ("email", "web", "app", "social", "search", "store", "chat", "ads")


def generate_map(touchpoints: int, stages: int = 10, seed: int = 7) -> str:
    """A valid map with the given number of touchpoints, decisions every 25th, no findings."""
    rng = random.Random(seed)
    # Two different personas on each touchpoint; a decision's touchpoint has the personas of the
    # touchpoint its "goes on" branch leads to, so that no persona is led off its path (CJM121).
    pairs = [random.Random(seed * 1_000_003 + index).sample(PERSONAS, 2) for index in range(touchpoints)]
    for index in range(24, touchpoints - 1, 25):
        pairs[index] = pairs[index + 1]
    lines = [
        "cjmap: 1",
        f"id: generated-{touchpoints}",
        f"title: Generated journey with {touchpoints} touchpoints",
        "goal: Measure how cjmap scales",
        "flow: sequential",
        "review: {last: 2026-11-01, every: 4 months}",
        "personas:",
    ]
    for persona in PERSONAS:
        lines.append(f"  - {{id: {persona}, name: {persona.title()}, segment: new, data: [email, phone, app]}}")
    lines.append("outcomes:\n  - {id: bought, kind: success}")
    if touchpoints > 25:  # the first decision (at the 25th touchpoint) is the way to it
        lines.append("  - {id: lost, kind: lost}")
    lines.append("stages:")
    per_stage = max(1, touchpoints // stages)
    made = 0
    for stage in range(stages):
        lines += [
            f"  - id: stage-{stage}",
            f"    name: Stage {stage}",
            f"    goal: Goal of stage {stage}",
            "    touchpoints:",
        ]
        count = per_stage if stage < stages - 1 else touchpoints - made
        for _ in range(count):
            index = made
            made += 1
            emotion = rng.randint(-2, 2)
            lines += [
                f"      - id: tp-{index}",
                f"        name: Touchpoint number {index}",
                f"        channel: {rng.choice(CHANNELS)}",
                f"        personas: [{', '.join(pairs[index])}]",
                f"        action: The customer does step {index} of the journey",
                f"        backstage: The company supports step {index}",
                f"        need: A need behind step {index}",
                f"        emotion: {emotion}",
                "        pain_points:",
                f"          - {{text: Pain at step {index}, severity: medium, evidence: observed}}",
                "        opportunities:",
                f"          - {{text: Idea for step {index}, impact: high, effort: low}}",
                "        kpis:",
                f"          - {{name: Conversion {index}, unit: '%', target: 10, actual: {rng.randint(5, 15)}}}",
            ]
            if index % 25 == 24 and made < touchpoints:
                lines += [
                    "        decision:",
                    "          question: Go on or leave?",
                    "          branches:",
                    f"            - {{when: Goes on, to: tp-{index + 1}, probability: 0.8}}",
                    "            - {when: Leaves, to: lost, probability: 0.2}",
                ]
            if made == touchpoints:
                lines.append("        next: [bought]")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate_map(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
