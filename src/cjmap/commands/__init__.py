"""The logic of the commands: plain options in, an exit code out (cli.py only declares them)."""
