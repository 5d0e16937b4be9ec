from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def products(request):
    return render(request, "catalog/products.html", {})


@login_required
def listings(request):
    return render(request, "catalog/listings.html", {})
