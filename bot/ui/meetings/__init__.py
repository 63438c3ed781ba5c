"""Meetings as people see them: announcements, the calendar file, the inspector card and lists, and their buttons."""
