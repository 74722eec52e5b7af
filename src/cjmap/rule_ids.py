"""Every rule id as a named constant: the loader, the model and the journey checks all name
rules through these, so an id is written once. (A tiny module: the loader imports it on the
start-up path.)"""

from __future__ import annotations

# Problems found before any journey check can run: always errors.
SYNTAX = "CJM001"
ENCODING = "CJM002"
DUPLICATE_KEY = "CJM003"
UNSAFE_TAG = "CJM004"
LIMITS = "CJM005"
INCLUDE = "CJM006"
NOT_A_MAP = "CJM007"
SPLIT_TEXT = "CJM008"  # a warning the loader finds
INTERNAL = "CJM009"
SCHEMA = "CJM010"

# Journey checks.
UNKNOWN_REFERENCE = "CJM101"
DUPLICATE_ID = "CJM102"
BRANCH_PROBABILITIES = "CJM103"
UNREACHABLE = "CJM104"
DEAD_END = "CJM105"
EMPTY_STAGE = "CJM106"
UNUSED_PERSONA = "CJM107"
MISSING_DATA = "CJM108"
EMOTION_SCALE = "CJM109"
PAIN_WITHOUT_OPPORTUNITY = "CJM110"
KPI_WITHOUT_TARGET = "CJM111"
REVIEW_OVERDUE = "CJM112"
UNUSED_OUTCOME = "CJM113"
EMOTION_MISSING_PERSONA = "CJM114"
ENTRY_SHARES = "CJM120"
OFF_PATH_STEP = "CJM121"
TRAP = "CJM122"
OBSERVED_PROBABILITY = "CJM130"  # needs a measurement: validate --measured FILE
