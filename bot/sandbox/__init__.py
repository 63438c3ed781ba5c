"""The sandbox: the whole bot in a local web page, every role side by side, no token (see run.py)."""
