from django.shortcuts import render

from vendors.selectors import catalogue_summary, vendor_list


def home(request):
    return render(request, "vendors/home.html", {"summary": catalogue_summary(), "vendors": vendor_list()})
