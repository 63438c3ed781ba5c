"""Proposals and meeting results as people see them, and the proposals register."""
