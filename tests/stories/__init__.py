"""User stories: the real bot against the fake Telegram, as a person plays each role."""
