"""Where the shipped models and lexicons live, and the gazetteer of place names."""
