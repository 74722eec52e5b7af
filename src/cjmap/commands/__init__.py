"""One small module per command: plain options in, calls into `cjmap.api` and the analyses, an
exit code out. `cli.py` only declares the commands and their options."""
