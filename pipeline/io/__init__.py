"""Input and output: reading and decoding inputs, lintas/1 records and their schema, resumable output folders."""
