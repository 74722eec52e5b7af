"""Colours and fonts of the diagram as plain data, so a theme is easy to read and to change.

Emotions use ColorBrewer's PuOr scheme, which stays distinguishable for the common kinds of
colour blindness; every node also carries a text marker, so emotion is never shown by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

# Both engines know Helvetica: the system one through fontconfig (DejaVu or Liberation Sans), the
# embedded one through its bundled metric-compatible Arimo; SVG viewers get "Helvetica,sans-Serif".
FONT = "Helvetica"


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str
    cluster_fill: str
    cluster_border: str
    node_border: str
    edge: str
    emotion_fill: tuple[str, str, str, str, str]  # very negative .. very positive
    emotion_text: tuple[str, str, str, str, str]
    no_emotion_fill: str
    decision_fill: str
    success_fill: str
    lost_fill: str
    other_fill: str


LIGHT = Theme(
    name="light",
    background="#ffffff",
    text="#1f2328",
    muted="#57606a",
    cluster_fill="#f6f8fa",
    cluster_border="#d0d7de",
    node_border="#8c959f",
    edge="#57606a",
    emotion_fill=("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"),
    emotion_text=("#000000", "#1f2328", "#1f2328", "#1f2328", "#ffffff"),
    no_emotion_fill="#ffffff",
    decision_fill="#fff8c5",
    success_fill="#dafbe1",
    lost_fill="#ffebe9",
    other_fill="#eaeef2",
)

DARK = Theme(
    name="dark",
    background="#0d1117",
    text="#e6edf3",
    muted="#9da7b3",
    cluster_fill="#161b22",
    cluster_border="#30363d",
    node_border="#6e7681",
    edge="#9da7b3",
    emotion_fill=("#e66101", "#fdb863", "#d0d7de", "#b2abd2", "#5e3c99"),
    emotion_text=("#000000", "#000000", "#000000", "#000000", "#ffffff"),
    no_emotion_fill="#21262d",
    decision_fill="#3d2e00",
    success_fill="#033a16",
    lost_fill="#4c1012",
    other_fill="#21262d",
)

THEMES = {theme.name: theme for theme in (LIGHT, DARK)}
