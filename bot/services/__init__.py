"""The domain. Nothing here imports aiogram: services take a session and plain values."""
