"""The `lintas` command line: the application and its shared options (`app`), one module
per group of commands. `cli.py` at the top level imports them in the order `lintas --help`
lists them."""
