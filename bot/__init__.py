"""inspector-bot: a Telegram bot connecting a district police inspector with the residents of the beat."""
