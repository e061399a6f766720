"""Tools over a whole output corpus: `lintas link`, `lintas export`, and building the gazetteer."""
