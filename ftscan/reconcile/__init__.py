"""``ftscan reconcile``: the inventory of a scan put beside what the providers say exists.

:mod:`.model` holds what a reconciliation adds to an inventory, :mod:`.fetch` reads the
providers (the network, only here), and :mod:`.join` puts both sides together, with each
provider's word (:mod:`ftscan.providers`) on whether the organisation can still create
fine-tuning jobs.
"""
