"""Appeals as people see them: the staff card, the resident view, the thread, and their buttons."""
