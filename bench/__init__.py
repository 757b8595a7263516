"""GovCat benchmarks (not part of the test run): ``python -m bench.search``, ``python -m bench.segmenter``."""
