from django.dispatch import Signal

#: Sent with `listing=` after a technology or need is saved, imported or changes state, so
#: derived data (the matching representation) follows. Receivers run in the same transaction.
listing_changed = Signal()

#: Sent with `listings=` once after a bulk write (an import), for set-based derived data.
listings_bulk_changed = Signal()

#: Sent with `request=` and `listing=` when someone outside the listing's organisation views
#: its public detail page; analytics counts it (off the listing's row).
listing_viewed = Signal()

#: Sent with `request=`, `kind=` ("technology" or "need") and `listing_ids=` when listings are
#: shown to someone as suggestions.
listings_suggested = Signal()
