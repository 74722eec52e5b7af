"""Command logic: functions that take plain options and return an exit code (0, 1 or 2)."""
