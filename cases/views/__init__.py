"""Case pages, one module per part of case work; every case reaches a view through
``cases.queries.get_case_for_user`` or ``visible_cases``."""
