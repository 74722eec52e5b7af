"""One module per command: the logic behind a `cjmap` sub-command, returning its exit code."""
