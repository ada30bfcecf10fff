"""`make bench`: a synthetic database at city-to-nation scale (bench.load) and what is measured on
it (bench.measure). Synthetic only: nothing here is, or is derived from, real case data."""
