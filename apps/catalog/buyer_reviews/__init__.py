"""Buyer reviews: customer reviews of products, their import and the phrases mined from them.

Named `buyer_reviews` so it never reads as the `review` app (the draft queue). The models keep
app label `catalog` and their tables; `catalog/models.py` imports them so Django registers them.
"""
