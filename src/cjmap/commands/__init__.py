"""One small module per command: plain options in, an exit code out."""
