"""ameli: the "créer son compte ameli" signup service (shared layer)."""
