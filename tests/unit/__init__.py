"""The fast tier: services and pure code against a real database, no running bot."""
