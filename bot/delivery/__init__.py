"""How messages leave the bot: the outbox's one sender (pace, the author's delivery summary) and the courier for appeals."""
