"""The commands' logic: each takes plain options and returns an exit code."""
