"""European Central Bank euro foreign-exchange reference rates (eurofxref-hist.csv / .zip)."""
