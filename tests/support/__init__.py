"""The harness the tests share: databases, the running bot against the fake Telegram, story steps."""
