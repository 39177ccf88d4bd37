"""Forms for case work, one module per part (intake, work, management)."""
