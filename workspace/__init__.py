"""Pages that compose several apps for one person: the homes and dashboards by role, and
the demo network."""
