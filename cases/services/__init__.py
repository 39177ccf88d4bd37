"""Every write to cases goes through these functions (DESIGN §2).

Each is atomic, takes the acting user as keyword-only ``actor``, checks the actor's
access itself (views check too, but the rule lives here), writes its audit event in the
same transaction and queues mail on commit. Grouped by the part of case work they serve:

- ``intake``: register an intake, edit its sections, minors, duplicate detection;
- ``work``: notes, follow-ups, risk, safety plan (``access``: the check every write of
  case work starts with);
- ``consent``, ``links`` (linked cases), ``attachments`` (file typing: ``cases.filetypes``);
- ``management``: assign, share, close and reopen, emergency access, shredding.
- ``labels``: the recorded click that shows a name where cases are labelled by code.
"""
