"""Quarterly reports as people see them: the summary, the chart, the printable PDF, and the dialog buttons."""
