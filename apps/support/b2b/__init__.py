"""B2B inquiries and quotations (issue 12 item 3): wholesale inquiries from the inbox or the API
are parsed into a structured request, priced into a quotation (tiers, freight by mode,
Incoterms), drafted in the buyer's language with a Chinese back-translation and sent only after
approval in the review queue. See docs/b2b-quotations.md."""
