"""What the scheduler says: meeting, cadence and deadline reminders."""
