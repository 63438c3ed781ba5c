"""What a person reads or presses: cards, keyboards, callback data, chart and PDF. Pure functions of data and locale: no session, no sending."""
