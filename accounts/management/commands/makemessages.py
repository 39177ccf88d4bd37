"""``makemessages`` without fuzzy matching.

msgmerge's fuzzy guesses pair a new English string with the Spanish of a similar old one
("Case closed" → "código de caso"); one unnoticed guess shows a caseworker the wrong
words. New strings arrive empty instead, and the catalogue tests list them.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
