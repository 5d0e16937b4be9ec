"""The repricing engine: a whole store in one vectorised pass per chunk, written back set-based.

Entry point: `apps.pricing.engine.run.reprice_store(*, org, store, dry_run=False, ...)`.

Per chunk of offers (an id range of the store, CHUNK offers by default):
  load     COPY (SELECT ...) TO STDOUT into DataFrames: offers with product costs, inventory,
           competitors (each seller's latest observation younger than the largest max age,
           from the competitor summary kept by apps.pricing.competitors), changes already made
           today; small tables (profiles, fees, strategies) via the ORM. An incremental run
           (the schedule) reads only the offers whose inputs changed since their last run:
           PostgreSQL hashes each offer's inputs and compares them, its price and its
           competitor summary version with the marker in the query that reads the offers
           (apps.pricing.incremental.DUE_SQL), so unchanged offers never leave the database;
  compute  apps.pricing.strategies.compute — NumPy over the frame, no per-offer Python;
  write    COPY the changed offers (with the price version each was computed from) into a
           temporary table, then through the owners' set-based services, each one statement:
             review  lock the open price_change drafts of the changed listings (draft rows
                     first, then targets: the one lock order of apps.review.services),
             catalog update the prices inside the auto-approve policy (review's rule, array
                     form) where the price version is still the loaded one,
             review  supersede the drafts replaced (conditional, events for real changes),
                     create the drafts for changes outside the policy + their events,
                     record the policy batch (PolicyRun),
             pricing INSERT the PriceChange rows, linked to the drafts and the PolicyRun.
A dry run (the simulator) loads and computes only and returns the per-offer frame.

One module per step, imported from directly (this package re-exports nothing):
  run      reprice_store, RunReport, COUNT_KEYS, the tallies and the parallel writers;
  context  the COPY reader, exchange rates (_Rates) and the per-pass context (_Context);
  load     the OFFERS/COMPS/LATEST SQL, load_chunk and the chunk boundaries;
  offers   the per-offer frame: strategy parameters, fees, profiles, landed cost, bad input;
  write    the temporary tables, _change_rows, write_chunk and the incremental markers.
Queries over a whole chunk run without nested loops: right after a run rewrote markers,
drafts or changes, their statistics are stale and a misjudged nested loop costs minutes.
"""
