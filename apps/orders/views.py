from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def order_list_view(request):
    return render(request, "orders/list.html", {})
