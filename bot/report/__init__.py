"""`elternlotse report`: the quarterly figures for the youth-welfare committee, from the anonymous daily counters."""
