"""The scheduler: APScheduler ticks (jobs.py); the engine claims due reminders (engine.py); kinds/ say what they are."""
