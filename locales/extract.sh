#!/usr/bin/env sh
# Refresh the catalogs after changing user-facing strings: extract, then merge into ru, kk, uz, uz_Cyrl and en.
# Then translate the new entries in ru, kk, uz and en, and seed uz_Cyrl from uz: python locales/uz_cyrl.py
# `_` is aiogram's gettext: one argument for a sentence, three (singular, plural, n) for a plural. Babel counts
# the trailing comma the formatter adds to a call split over lines as one more argument: hence `_:1,2,4t`.
set -e
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k N_ -k '_:1,1t' -k '_:1,2,3t' -k '_:1,2,4t' --no-location --sort-output --omit-header \
    -o locales/messages.pot .
for lang in ru kk uz uz_Cyrl en; do
    if [ -f "locales/$lang/LC_MESSAGES/messages.po" ]; then
        pybabel update -i locales/messages.pot -d locales -D messages -l "$lang" \
            --ignore-obsolete --no-fuzzy-matching
    else
        pybabel init -i locales/messages.pot -d locales -D messages -l "$lang"
    fi
done
